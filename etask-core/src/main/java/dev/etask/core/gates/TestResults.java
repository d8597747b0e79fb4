package dev.etask.core.gates;

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

  public static TestResults none() {
    return new TestResults(0, 0, 0, 0, List.of(), "");
  }

  public int total() {
    return passed + failed + errors + skipped;
  }
}
