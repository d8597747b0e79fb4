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
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Runs the gates on the clone's working tree, always check-only and with explicit report formats
 * and paths, whatever the repository's own configuration says: ruff first, then pytest under
 * coverage in parallel with mypy.
 */
public final class GateRunner implements Gates {
  private static final Pattern NO_DATA =
      Pattern.compile("No data (to report|was collected)|No data to combine");

  private final Workspace workspace;
  private final PythonEnvironment python;
  private final ProcessRunner runner;
  private final boolean mypyJson;
  private final GateSetup setup;
  private final TestCommand tests;

  /** {@code toolVersions} as resolved in the venv: they choose the report formats. */
  public GateRunner(
      Workspace workspace,
      PythonEnvironment python,
      ProcessRunner runner,
      Map<String, String> toolVersions,
      GateSetup setup) {
    this.workspace = workspace;
    this.python = python;
    this.runner = runner;
    this.mypyJson = Reports.mypyHasJson(toolVersions.get("mypy"));
    this.setup = setup == null ? GateSetup.defaults() : setup;
    this.tests = new TestCommand(this.setup, workspace, python);
  }

  /**
   * Measures the tree. {@code label} names the report files and the log ({@code baseline}, {@code
   * batch-3}); {@code source} are the folders coverage and mypy look at. A tool that could not run,
   * or ran but measured nothing, leaves its part null and says why in the problems: a gate that
   * could not see is never a pass and never a zero.
   */
  @Override
  public GateReport measure(String label, List<String> source, Duration timeout) {
    List<String> problems = new ArrayList<>();
    Map<String, Long> durations = new LinkedHashMap<>();
    Path repo = workspace.repo();
    Path out = workspace.toolOutput(label);

    // ruff: fast, first
    List<Finding> lint =
        Ruff.check(
            workspace, python, runner, setup, label, List.of("."), timeout, problems, durations);

    Path mypyOut = out.resolve(label + "-mypy.txt");
    CompletableFuture<ProcessRunner.Result> mypyRun =
        setup.typesOff() != null || setup.typeTargets(source).isEmpty()
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.supplyAsync(() -> mypy(label, source, mypyOut, timeout));

    Suite suite = suite(label, source, timeout, problems, durations);

    List<Finding> types = types(mypyRun.join(), mypyOut, problems, durations);
    // the tools wrote these themselves: a secret a test printed must not stay in them
    for (Path written :
        List.of(workspace.toolOutput(label).resolve(label + "-ruff.json"), mypyOut)) {
      redactFile(written);
    }
    return new GateReport(suite.tests(), suite.coverage(), lint, types, problems, durations);
  }

  @Override
  public GateReport measureSuite(
      String label, List<String> source, GateReport unchanged, Duration timeout) {
    List<String> problems = new ArrayList<>();
    Map<String, Long> durations = new LinkedHashMap<>();
    Suite suite = suite(label, source, timeout, problems, durations);
    return new GateReport(
        suite.tests(), suite.coverage(), unchanged.lint(), unchanged.types(), problems, durations);
  }

  private record Suite(TestResults tests, Coverage coverage) {}

  /** mypy on the type targets of {@code source}, its report into {@code out}. */
  private ProcessRunner.Result mypy(String label, List<String> source, Path out, Duration timeout) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                python.python().toString(),
                "-I", // the clone's modules never come before mypy's own
                "-B", // -I ignores PYTHONPYCACHEPREFIX: nothing written in the
                // venv
                "-m",
                "mypy",
                "--no-error-summary",
                "--show-error-codes",
                "--no-pretty",
                "--no-color-output",
                "--hide-error-context",
                "--cache-dir",
                workspace.cache().resolve("mypy").toString()));
    if (mypyJson) {
      argv.addAll(List.of("-O", "json"));
    }
    argv.addAll(setup.typeTargets(source));
    return runner.run(
        python
            .tool(
                label,
                argv,
                workspace.cache().resolve("mypy"),
                timeout,
                workspace.logs().resolve(label + "-mypy.log"))
            .capturingTo(out));
  }

  /** mypy's findings, or null (and why in {@code problems}) when it could not run or see. */
  private List<Finding> types(
      ProcessRunner.Result mypy, Path mypyOut, List<String> problems, Map<String, Long> durations) {
    Path repo = workspace.repo();
    List<Finding> types = null;
    if (mypy != null) {
      durations.put("mypy", mypy.duration().toMillis());
      if (mypy.exitCode() <= 1 && !mypy.timedOut()) {
        try {
          String text = Files.readString(mypyOut);
          types = mypyJson ? Reports.mypyJson(text, repo) : Reports.mypy(text, repo);
        } catch (ReportFormatException | java.io.IOException e) {
          problems.add("mypy: " + e.getMessage());
        }
      } else {
        problems.add(
            "mypy could not run (exit "
                + mypy.exitCode()
                + "): "
                + PythonEnvironment.lastLines(mypy.output(), 5));
      }
    } else if (setup.typesOff() == null) {
      problems.add("mypy: nothing to check: no Python source folder was found (set python.source)");
    }
    return types;
  }

  /** The whole suite under coverage. */
  private Suite suite(
      String label,
      List<String> source,
      Duration timeout,
      List<String> problems,
      Map<String, Long> durations) {
    Path out = workspace.output(label);
    Path log = workspace.logs().resolve(label + "-gates.log");
    Path junit = out.resolve(label + "-junit.xml");
    Path coverageJson = out.resolve(label + "-coverage.json");
    String workers = setup.xdistWorkers();
    boolean parallel =
        workers != null
            && !source.isEmpty()
            && tests.installed("xdist")
            && tests.installed("pytest_cov");
    // in workers, pytest-cov writes where the process's COVERAGE_FILE says
    Path data = parallel ? out.resolve(".coverage") : out.resolve(label + ".coverage");
    deleteQuietly(junit);
    deleteQuietly(coverageJson);
    deleteCoverageData(data);
    List<String> argv =
        parallel
            ? parallelUnderCoverage(junit, workers, source)
            : suiteUnderCoverage(label, data, source, tests.suite(junit, hasPytestCov()));
    ProcessRunner.Result run = runner.run(python.gate(label, argv, timeout, log));
    durations.put("tests", run.duration().toMillis());
    TestResults testResults = TestResults.of(tests.runnerName(), run, junit, timeout, problems);
    Coverage coverage = null;
    if (source.isEmpty()) {
      problems.add(
          "coverage: nothing to measure: no Python source folder was found (set python.source)");
    } else if (!run.timedOut()) {
      coverage = coverage(label, data, coverageJson, log, timeout, problems);
    }
    // the tools wrote these themselves: a secret a test printed must not stay in them
    redactFile(junit);
    redactFile(coverageJson);
    keep(workspace, label, data);
    return new Suite(testResults, coverage);
  }

  @Override
  public GateReport measureNewTests(
      String label,
      List<String> source,
      List<String> newTests,
      GateReport before,
      Path beforeData,
      String beforeRoot,
      int runs,
      Duration timeout) {
    return new IncrementalGates(workspace, python, runner, setup, tests, hasPytestCov())
        .measure(label, source, newTests, before, beforeData, beforeRoot, runs, timeout);
  }

  /**
   * The whole suite under coverage into {@code data}: pytest in the task's Python worker when it
   * has one ({@code coverage_data.py run}, what {@code coverage run -m pytest} does), any other
   * runner under {@code python -m coverage run}.
   */
  private List<String> suiteUnderCoverage(
      String label, Path data, List<String> source, List<String> suite) {
    if (tests.pytest()) {
      List<String> argv =
          IncrementalGates.coverageData(
              python, label, "run", data.toString(), coverageSource(source), "--");
      argv.addAll(TestCommand.pytestArgs(suite));
      return argv;
    }
    List<String> argv = coverageRun(python, data, source);
    argv.addAll(suite);
    return argv;
  }

  /**
   * The whole suite in pytest-xdist workers, each measured by pytest-cov (which starts coverage in
   * every worker and combines their data in the controller), {@code source} as coverage's sources,
   * no report of its own.
   */
  private List<String> parallelUnderCoverage(Path junit, String workers, List<String> source) {
    List<String> argv = new ArrayList<>(List.of(python.python().toString()));
    argv.addAll(tests.parallelSuite(junit, workers));
    for (String s : coverageSource(source).split(",")) {
      argv.add("--cov=" + s);
    }
    argv.add("--cov-report=");
    return argv;
  }

  /** {@code python -m coverage run} into {@code data}, measuring {@code source}. */
  static List<String> coverageRun(PythonEnvironment python, Path data, List<String> source) {
    List<String> argv =
        new ArrayList<>(
            List.of(python.python().toString(), "-m", "coverage", "run", "--data-file=" + data));
    if (!source.isEmpty()) {
      argv.add("--source=" + coverageSource(source));
    }
    return argv;
  }

  /** What coverage measures: folders as they are, a top-level module (flat layout) by its name. */
  static String coverageSource(List<String> source) {
    return String.join(
        ",",
        source.stream()
            .map(s -> s.endsWith(".py") ? s.substring(0, s.length() - 3).replace('/', '.') : s)
            .toList());
  }

  private void redactFile(Path file) {
    try {
      if (Files.isRegularFile(file)) {
        String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        String clean = runner.redactor().redact(text);
        if (!clean.equals(text)) {
          Files.writeString(file, clean, java.nio.charset.StandardCharsets.UTF_8);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      deleteQuietly(file); // what cannot be redacted does not stay
    }
  }

  /**
   * Combines the data files of a parallel run ({@code parallel = true}, subprocesses) into one, and
   * reads it. No data at all is a measurement that could not be made, never 0 %.
   */
  private Coverage coverage(
      String label, Path data, Path json, Path log, Duration timeout, List<String> problems) {
    Path repo = workspace.repo();
    if (!parallelDataFiles(data).isEmpty()) {
      ProcessRunner.Result combined =
          runner.run(
              python.gate(
                  label,
                  List.of(
                      python.python().toString(),
                      "-m",
                      "coverage",
                      "combine",
                      "--data-file=" + data),
                  timeout,
                  log));
      if (!combined.ok() && !NO_DATA.matcher(combined.output()).find()) {
        problems.add(
            "coverage combine failed: " + PythonEnvironment.lastLines(combined.output(), 5));
        return null;
      }
    }
    if (!Files.exists(data)) {
      problems.add(
          "coverage: no data was recorded ("
              + data.getFileName()
              + " was not written; check the"
              + " repository's [tool.coverage.run] / .coveragerc settings)");
      return null;
    }
    // what etask reads of `coverage json`, without the parts it does not (docs/ARCHITECTURE.md §5)
    ProcessRunner.Result report =
        runner.run(
            python.gate(
                label,
                IncrementalGates.coverageData(
                    python, label, "report", data.toString(), json.toString()),
                timeout,
                log));
    if (!report.ok() || !Files.exists(json)) {
      problems.add(
          NO_DATA.matcher(report.output()).find()
              ? "coverage: no data was recorded for the source folders ("
                  + PythonEnvironment.lastLines(report.output(), 2)
                  + ")"
              : "coverage json failed: " + PythonEnvironment.lastLines(report.output(), 5));
      return null;
    }
    try {
      return Reports.coverage(json, repo);
    } catch (ReportFormatException e) {
      problems.add("coverage: " + e.getMessage());
      return null;
    }
  }

  /** {@code <data>.<host>.<pid>.<random>}: what coverage writes with {@code parallel = true}. */
  static List<Path> parallelDataFiles(Path data) {
    String prefix = data.getFileName() + ".";
    try (var files = Files.list(data.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** The data file and its parallel siblings, so a stale one is never read as this run's. */
  static void deleteCoverageData(Path data) {
    deleteQuietly(data);
    parallelDataFiles(data).forEach(GateRunner::deleteQuietly);
  }

  /** pytest-cov in the venv (a repository's test extras often bring it). */
  private boolean hasPytestCov() {
    return tests.installed("pytest_cov");
  }

  /**
   * Takes measurement {@code label}'s coverage data out of its output folder (which its processes
   * could write) into the reports (which they can only read), as {@code <label>.coverage}; a stale
   * one is removed when the measurement left none.
   */
  static void keep(Workspace workspace, String label) {
    keep(workspace, label, workspace.output(label).resolve(label + ".coverage"));
  }

  /** The same, the data being {@code data}. */
  static void keep(Workspace workspace, String label, Path data) {
    Path kept = workspace.reports().resolve(label + ".coverage");
    try {
      Files.createDirectories(kept.getParent());
      if (Files.isRegularFile(data, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.move(data, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(kept);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (java.io.IOException e) {
      // a stale report only matters if the tool fails to write a new one, which is reported
    }
  }
}
