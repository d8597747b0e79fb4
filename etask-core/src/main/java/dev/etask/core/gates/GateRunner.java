package dev.etask.core.gates;

import dev.etask.core.process.Command;
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

/**
 * Runs the gates on the clone's working tree, always check-only and with explicit report formats
 * and paths, whatever the repository's own configuration says: ruff first, then pytest under
 * coverage in parallel with mypy.
 */
public final class GateRunner {
  private final Workspace workspace;
  private final PythonEnvironment python;
  private final ProcessRunner runner;
  private final boolean mypyJson;

  /** {@code toolVersions} as resolved in the venv: they choose the report formats. */
  public GateRunner(Workspace workspace, PythonEnvironment python, ProcessRunner runner,
      Map<String, String> toolVersions) {
    this.workspace = workspace;
    this.python = python;
    this.runner = runner;
    this.mypyJson = Reports.mypyHasJson(toolVersions.get("mypy"));
  }

  /**
   * Measures the tree. {@code label} names the report files and the log ({@code baseline},
   * {@code batch-3}); {@code source} are the folders coverage and mypy look at.
   */
  public GateReport measure(String label, List<String> source, Duration timeout) {
    List<String> problems = new ArrayList<>();
    Map<String, Long> durations = new LinkedHashMap<>();
    Path log = workspace.logs().resolve(label + "-gates.log");
    Map<String, String> env = python.environment();
    Path repo = workspace.repo();
    Path reports = workspace.reports();

    // ruff: fast, first
    Path ruffJson = reports.resolve(label + "-ruff.json");
    List<Finding> lint = null;
    deleteQuietly(ruffJson);
    ProcessRunner.Result ruff = runner.run(Command.of(repo, env, timeout, log, python.bin("ruff").toString(), "check",
        "--no-fix", "--output-format", "json", "--output-file", ruffJson.toString(), "--cache-dir",
        workspace.cache().resolve("ruff").toString(), "."));
    durations.put("ruff", ruff.duration().toMillis());
    if (ruff.exitCode() <= 1 && !ruff.timedOut() && Files.exists(ruffJson)) {
      try {
        lint = Reports.ruff(ruffJson, repo);
      } catch (ReportFormatException e) {
        problems.add("ruff: " + e.getMessage());
      }
    } else {
      problems.add("ruff could not run (exit " + ruff.exitCode() + "): " + PythonEnvironment.lastLines(ruff.output(), 5));
    }

    Path mypyOut = reports.resolve(label + "-mypy.txt");
    CompletableFuture<ProcessRunner.Result> mypyRun = source.isEmpty() ? CompletableFuture.completedFuture(null)
        : CompletableFuture.supplyAsync(() -> {
          List<String> argv = new ArrayList<>(List.of(python.python().toString(), "-m", "mypy", "--no-error-summary",
              "--show-error-codes", "--no-pretty", "--no-color-output", "--hide-error-context", "--cache-dir",
              workspace.cache().resolve("mypy").toString()));
          if (mypyJson) {
            argv.addAll(List.of("-O", "json"));
          }
          argv.addAll(source);
          return runner.run(new Command(argv, repo, env, timeout, workspace.logs().resolve(label + "-mypy.log"))
              .capturingTo(mypyOut));
        });

    // pytest under coverage
    Path data = reports.resolve(label + ".coverage");
    Path junit = reports.resolve(label + "-junit.xml");
    Path coverageJson = reports.resolve(label + "-coverage.json");
    for (Path stale : List.of(data, junit, coverageJson)) {
      deleteQuietly(stale);
    }
    List<String> pytest = new ArrayList<>(List.of(python.python().toString(), "-m", "coverage", "run",
        "--data-file=" + data));
    if (!source.isEmpty()) {
      // folders as they are; a top-level module file (flat layout) by its importable name
      pytest.add("--source=" + String.join(",", source.stream()
          .map(s -> s.endsWith(".py") ? s.substring(0, s.length() - 3).replace('/', '.') : s).toList()));
    }
    pytest.addAll(List.of("-m", "pytest", "-p", "no:cacheprovider", "-q", "--junitxml=" + junit, "-o",
        "junit_family=xunit2"));
    if (hasPytestCov()) {
      pytest.add("--no-cov"); // the repository's --cov options would otherwise take the measurement from us
    }
    ProcessRunner.Result tests = runner.run(new Command(pytest, repo, env, timeout, log));
    durations.put("pytest", tests.duration().toMillis());
    TestResults testResults = TestResults.none();
    if (tests.timedOut()) {
      problems.add("pytest did not finish within " + timeout.toSeconds() + "s");
    } else if (tests.exitCode() == 5) {
      testResults = TestResults.none(); // no tests collected
    } else if (Files.exists(junit)) {
      try {
        testResults = Reports.junit(junit);
        if (tests.exitCode() > 1 && testResults.total() == 0) {
          problems.add("pytest stopped with exit " + tests.exitCode() + ": " + PythonEnvironment.lastLines(tests.output(), 8));
        }
      } catch (ReportFormatException e) {
        problems.add("pytest: " + e.getMessage());
      }
    } else {
      problems.add("pytest could not run (exit " + tests.exitCode() + "): " + PythonEnvironment.lastLines(tests.output(), 8));
    }

    Coverage coverage = null;
    if (Files.exists(data)) {
      ProcessRunner.Result json = runner.run(Command.of(repo, env, timeout, log, python.python().toString(), "-m",
          "coverage", "json", "--data-file=" + data, "-o", coverageJson.toString(), "--ignore-errors"));
      if (json.ok() && Files.exists(coverageJson)) {
        try {
          coverage = Reports.coverage(coverageJson, repo);
        } catch (ReportFormatException e) {
          problems.add("coverage: " + e.getMessage());
        }
      } else if (json.output().contains("No data to report")) {
        coverage = new Coverage(0.0, Map.of());
      } else {
        problems.add("coverage json failed: " + PythonEnvironment.lastLines(json.output(), 5));
      }
    } else if (!tests.timedOut()) {
      coverage = new Coverage(0.0, Map.of());
    }

    List<Finding> types = source.isEmpty() ? List.of() : null;
    ProcessRunner.Result mypy = mypyRun.join();
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
        problems.add("mypy could not run (exit " + mypy.exitCode() + "): " + PythonEnvironment.lastLines(mypy.output(), 5));
      }
    }
    return new GateReport(testResults, coverage, lint, types, problems, durations);
  }

  /** pytest-cov in the venv (a repository's test extras often bring it). */
  private boolean hasPytestCov() {
    Path lib = python.python().getParent().getParent().resolve("lib");
    try (var dirs = Files.newDirectoryStream(lib, "python*")) {
      for (Path d : dirs) {
        if (Files.isDirectory(d.resolve("site-packages").resolve("pytest_cov"))) {
          return true;
        }
      }
    } catch (java.io.IOException e) {
      return false;
    }
    return false;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (java.io.IOException e) {
      // a stale report only matters if the tool fails to write a new one, which is reported
    }
  }
}
