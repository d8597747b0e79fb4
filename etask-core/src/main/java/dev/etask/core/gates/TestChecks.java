package dev.etask.core.gates;

import java.time.Duration;
import java.util.List;

/** Do a batch's new tests really test? {@link TestQuality} runs the real checks. */
public interface TestChecks {
  /**
   * {@code path::test: reason} for every weak test in {@code files}; throws {@link
   * TestQuality.CheckFailed}.
   */
  List<String> weakTests(String label, List<String> files);

  /** Runs the tests in {@code files} {@code reruns} more times and compares with {@code first}. */
  TestQuality.Reruns rerun(
      String label, List<String> files, int reruns, TestResults first, Duration timeout);

  /**
   * The {@code files} the repository's own test run collects (its testpaths and file patterns
   * decide), without running the suite; all of them when the runner cannot tell. Throws {@link
   * TestQuality.CheckFailed} when the check cannot run.
   */
  default List<String> collectedBySuite(String label, List<String> files, Duration timeout) {
    return files;
  }

  /**
   * The new tests that still all pass when every value {@code target} returns is None; else empty.
   */
  List<String> survivingMutation(
      String label, String target, List<String> testFiles, Duration timeout);
}
