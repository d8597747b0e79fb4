package dev.etask.core.gates;

import dev.etask.core.process.ProcessRunner;
import dev.etask.core.workspace.PythonEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What pytest reported: counts, the ids of failing tests (failures and errors), and an excerpt of
 * their output.
 */
public record TestResults(
    int passed,
    int failed,
    int errors,
    int skipped,
    List<String> failing,
    String failureExcerpt,
    List<String> passedIds) {
  public TestResults {
    failing = List.copyOf(failing);
    passedIds = passedIds == null ? List.of() : List.copyOf(passedIds);
  }

  public TestResults(
      int passed,
      int failed,
      int errors,
      int skipped,
      List<String> failing,
      String failureExcerpt) {
    this(passed, failed, errors, skipped, failing, failureExcerpt, List.of());
  }

  private static final String COLLECTION_ERRORS = "errors while collecting the tests";

  /** Whether a gate's problem says the tests could not be collected (an import error, say). */
  public static boolean collectionError(String problem) {
    return problem.contains(COLLECTION_ERRORS);
  }

  public static TestResults none() {
    return new TestResults(0, 0, 0, 0, List.of(), "");
  }

  /**
   * What a test run says: its JUnit report, and as problems every way it can fail to be a
   * measurement (time limit, no report, collection errors, no tests, a crash).
   */
  static TestResults of(
      String name, ProcessRunner.Result run, Path junit, Duration timeout, List<String> problems) {
    return of(name, run, junit, timeout, problems, false);
  }

  /** The same; {@code firstRunOnly}: the session ran each test more than once, the first counts. */
  static TestResults of(
      String name,
      ProcessRunner.Result run,
      Path junit,
      Duration timeout,
      List<String> problems,
      boolean firstRunOnly) {
    TestResults testResults = TestResults.none();
    if (run.timedOut()) {
      problems.add(name + " did not finish within " + timeout.toSeconds() + "s");
      return testResults;
    }
    if (Files.exists(junit)) {
      try {
        testResults = Reports.junit(junit, firstRunOnly);
      } catch (ReportFormatException e) {
        problems.add(name + ": " + e.getMessage());
      }
    }
    String tail = PythonEnvironment.lastLines(run.output(), 15);
    switch (run.exitCode()) {
      case 0, 1 -> {
        if (!Files.exists(junit)) {
          problems.add(name + " wrote no report (exit " + run.exitCode() + "): " + tail);
        }
      }
      case 2 ->
          problems.add(
              name
                  + " was interrupted before running the whole suite ("
                  + COLLECTION_ERRORS
                  + ", exit 2):\n"
                  + tail);
      case 5 -> problems.add(name + " ran no tests (exit 5): " + tail);
      default -> problems.add(name + " could not run (exit " + run.exitCode() + "):\n" + tail);
    }
    return testResults;
  }

  public int total() {
    return passed + failed + errors + skipped;
  }
}
