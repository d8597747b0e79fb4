package dev.etask.core.gates;

import dev.etask.core.process.ProcessRunner;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch that only adds test files, measured without the whole suite (docs/ARCHITECTURE.md §5):
 * the new tests run alone under coverage and their data is combined with the state before the
 * batch; ruff checks the new files; mypy's findings stay those before (no source changed). The
 * tests' counts are those before plus the new tests'. What this cannot see (a new test breaking
 * another through shared state) the whole suite finds before anything is pushed.
 */
final class IncrementalGates {
  private final Workspace workspace;
  private final PythonEnvironment python;
  private final ProcessRunner runner;
  private final GateSetup setup;
  private final TestCommand tests;
  private final boolean noCov;

  IncrementalGates(
      Workspace workspace,
      PythonEnvironment python,
      ProcessRunner runner,
      GateSetup setup,
      TestCommand tests,
      boolean noCov) {
    this.workspace = workspace;
    this.python = python;
    this.runner = runner;
    this.setup = setup;
    this.tests = tests;
    this.noCov = noCov;
  }

  GateReport measure(
      String label,
      List<String> source,
      List<String> newTests,
      GateReport before,
      Path beforeData,
      String beforeRoot,
      int runs,
      Duration timeout) {
    List<String> problems = new ArrayList<>();
    Map<String, Long> durations = new LinkedHashMap<>();
    Path reports = workspace.output(label);
    Path log = workspace.logs().resolve(label + "-gates.log");

    List<Finding> newLint =
        Ruff.check(workspace, python, runner, setup, label, newTests, timeout, problems, durations);
    List<Finding> lint = null;
    if (newLint != null && before.lint() != null) {
      lint = new ArrayList<>(before.lint());
      lint.addAll(newLint);
    }

    Path newData = reports.resolve(label + "-new.coverage");
    Path junit = reports.resolve(label + "-junit.xml");
    GateRunner.deleteQuietly(junit);
    GateRunner.deleteCoverageData(newData);
    if (tests.pytest() && Files.exists(beforeData)) {
      return inOneProcess(
          label,
          source,
          newTests,
          before,
          beforeData,
          beforeRoot,
          runs,
          timeout,
          lint,
          problems,
          durations);
    }
    List<String> argv = GateRunner.coverageRun(python, newData, source);
    argv.addAll(tests.named(junit, newTests, noCov));
    ProcessRunner.Result run = runner.run(python.gate(label, argv, timeout, log));
    durations.put("tests", run.duration().toMillis());
    TestResults added = TestResults.of(tests.runnerName(), run, junit, timeout, problems);
    TestResults merged = merged(before, added);

    Coverage coverage = null;
    if (!run.timedOut() && Files.exists(beforeData)) {
      coverage = combine(label, beforeData, beforeRoot, newData, timeout, log, problems);
    } else if (!Files.exists(beforeData)) {
      problems.add("coverage: the data of the state before the batch is missing");
    }
    GateRunner.keep(workspace, label);
    return new GateReport(merged, coverage, lint, before.types(), problems, durations);
  }

  /**
   * pytest, coverage and the combine in one Python process (one start, one import of the project):
   * the new tests run {@code runs} times in the session ({@code --keep-duplicates}), the first run
   * is the measurement, the others are the flakiness reruns (read back by {@link TestQuality}).
   */
  private GateReport inOneProcess(
      String label,
      List<String> source,
      List<String> newTests,
      GateReport before,
      Path beforeData,
      String beforeRoot,
      int runs,
      Duration timeout,
      List<Finding> lint,
      List<String> problems,
      Map<String, Long> durations) {
    Path repo = workspace.repo();
    Path out = workspace.output(label).resolve(label + ".coverage");
    Path json = out.resolveSibling(out.getFileName() + ".json");
    Path junit = workspace.output(label).resolve(label + "-junit.xml");
    List<String> files = new ArrayList<>();
    if (runs > 1) {
      files.add("--keep-duplicates");
    }
    for (int i = 0; i < Math.max(1, runs); i++) {
      files.addAll(newTests);
    }
    List<String> pytest = tests.named(junit, files, noCov);
    List<String> argv =
        coverageData(
            python,
            label,
            "measure",
            out.toString(),
            beforeData.toString(),
            beforeRoot,
            GateRunner.coverageSource(source),
            "--");
    argv.addAll(TestCommand.pytestArgs(pytest));
    ProcessRunner.Result run =
        runner.run(
            python.gate(label, argv, timeout, workspace.logs().resolve(label + "-gates.log")));
    durations.put("tests", run.duration().toMillis());
    TestResults added = TestResults.of(tests.runnerName(), run, junit, timeout, problems, true);
    Coverage coverage = null;
    if (!run.timedOut()) {
      if (Files.exists(json)) {
        try {
          coverage = Reports.coverage(json, repo);
        } catch (ReportFormatException e) {
          problems.add("coverage: " + e.getMessage());
        }
      } else {
        problems.add(
            "coverage of the new tests could not be combined: "
                + PythonEnvironment.lastLines(run.output(), 5));
      }
    }
    GateRunner.keep(workspace, label);
    return new GateReport(
        merged(before, added), coverage, lint, before.types(), problems, durations);
  }

  private static TestResults merged(GateReport before, TestResults added) {
    return new TestResults(
        before.tests().passed() + added.passed(),
        before.tests().failed() + added.failed(),
        before.tests().errors() + added.errors(),
        before.tests().skipped() + added.skipped(),
        concat(before.tests().failing(), added.failing()),
        added.failureExcerpt(),
        concat(before.tests().passedIds(), added.passedIds()));
  }

  /** The state before plus the new tests' data, as {@code <label>.coverage} and its JSON. */
  private Coverage combine(
      String label,
      Path beforeData,
      String beforeRoot,
      Path newData,
      Duration timeout,
      Path log,
      List<String> problems) {
    Path out = workspace.output(label).resolve(label + ".coverage");
    List<String> argv =
        coverageData(python, label, "combine", out.toString(), beforeData.toString(), beforeRoot);
    List<Path> fresh = new ArrayList<>();
    if (Files.exists(newData)) {
      fresh.add(newData);
    }
    fresh.addAll(GateRunner.parallelDataFiles(newData));
    if (fresh.isEmpty()) {
      problems.add("coverage: the new tests recorded no data");
      return null;
    }
    fresh.forEach(f -> argv.add(f.toString()));
    ProcessRunner.Result r = runner.run(python.gate(label, argv, timeout, log));
    Path json = out.resolveSibling(out.getFileName() + ".json");
    if (!r.ok() || !Files.exists(json)) {
      problems.add("coverage combine failed: " + PythonEnvironment.lastLines(r.output(), 5));
      return null;
    }
    try {
      return Reports.coverage(json, workspace.repo());
    } catch (ReportFormatException e) {
      problems.add("coverage: " + e.getMessage());
      return null;
    }
  }

  /**
   * {@code python coverage_data.py <args>} (in the task's Python worker when it has one), a list
   * the caller may extend.
   */
  static List<String> coverageData(PythonEnvironment python, String label, String... args) {
    return new ArrayList<>(python.helper(label, "coverage_data.py", args));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
