package dev.etask.core.spec;

import java.util.Arrays;
import java.util.List;

/** The metrics a batch is measured by; the names are what rules and expressions use. */
public enum Metric {
  TESTS_PASSED,
  TESTS_FAILED,
  TESTS_ERRORS,
  TESTS_SKIPPED,
  NEW_TEST_FAILURES,
  /**
   * Tests that passed before and neither pass nor fail after: deleted, renamed, skipped or no
   * longer collected.
   */
  TESTS_REMOVED,
  COVERAGE_BEFORE,
  COVERAGE_AFTER,
  COVERAGE_DELTA,
  DIFF_COVERAGE,
  LINT_ERRORS,
  NEW_LINT_ERRORS,
  TYPE_ERRORS,
  NEW_TYPE_ERRORS,
  DIFF_FILES,
  DIFF_LINES,
  /** Files of the change that are binary: they have no diff lines to count. */
  BINARY_FILES,
  WEAK_TESTS,
  /** New tests the repository's own test run never collects (testpaths, python_files). */
  UNCOLLECTED_TESTS,
  FLAKY_TESTS,
  /**
   * Files the batch changed that configure the test runner or the tools (conftest.py, pytest.ini,
   * …).
   */
  TEST_CONFIG_FILES;

  /** The name used in specs and status.json, e.g. {@code coverage_delta}. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Metric byKey(String key) {
    for (Metric m : values()) {
      if (m.key().equals(key)) {
        return m;
      }
    }
    return null;
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(Metric::key).toList();
  }
}
