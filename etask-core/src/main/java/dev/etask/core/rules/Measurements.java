package dev.etask.core.rules;

import dev.etask.core.gates.Coverage;
import dev.etask.core.gates.Finding;
import dev.etask.core.gates.GateReport;
import dev.etask.core.git.DiffStats;
import dev.etask.core.spec.Metric;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns two gate reports (before and after a batch) and the batch's diff into metrics. */
public final class Measurements {
  private Measurements() {}

  /** The tests that fail after and did not before (ids as the reports give them). */
  public static List<String> newFailing(GateReport before, GateReport after) {
    Set<String> failingBefore = new HashSet<>(before.tests().failing());
    return after.tests().failing().stream().filter(id -> !failingBefore.contains(id)).toList();
  }

  public static Map<Metric, Double> compare(GateReport before, GateReport after, DiffStats diff) {
    Map<Metric, Double> m = new EnumMap<>(Metric.class);
    m.put(Metric.TESTS_PASSED, (double) after.tests().passed());
    m.put(Metric.TESTS_FAILED, (double) after.tests().failed());
    m.put(Metric.TESTS_ERRORS, (double) after.tests().errors());
    m.put(Metric.TESTS_SKIPPED, (double) after.tests().skipped());
    Set<String> failingBefore = new HashSet<>(before.tests().failing());
    m.put(
        Metric.NEW_TEST_FAILURES,
        (double)
            after.tests().failing().stream().filter(id -> !failingBefore.contains(id)).count());
    m.put(Metric.TESTS_REMOVED, (double) removedTests(before, after).size());
    Double cb = before.coveragePercent();
    Double ca = after.coveragePercent();
    put(m, Metric.COVERAGE_BEFORE, cb);
    put(m, Metric.COVERAGE_AFTER, ca);
    put(m, Metric.COVERAGE_DELTA, cb == null || ca == null ? null : round(ca - cb));
    put(m, Metric.DIFF_COVERAGE, diff == null ? null : diffCoverage(after.coverage(), diff));
    put(m, Metric.LINT_ERRORS, after.lint() == null ? null : (double) after.lint().size());
    put(m, Metric.NEW_LINT_ERRORS, newFindings(before.lint(), after.lint()));
    put(m, Metric.TYPE_ERRORS, after.types() == null ? null : (double) after.types().size());
    put(m, Metric.NEW_TYPE_ERRORS, newFindings(before.types(), after.types()));
    if (diff != null) {
      m.put(Metric.DIFF_FILES, (double) diff.files());
      m.put(Metric.DIFF_LINES, (double) diff.lines());
      m.put(Metric.BINARY_FILES, (double) diff.binary());
    }
    return m;
  }

  /**
   * The ids of tests that passed in {@code before} and are neither passing nor failing in {@code
   * after}: deleted, renamed, newly skipped or no longer collected. Empty when the tests of {@code
   * after} could not run (that is a problem of its own, not a removal).
   */
  public static List<String> removedTests(GateReport before, GateReport after) {
    if (after.tests().total() == 0) {
      return List.of();
    }
    Set<String> still = new HashSet<>(after.tests().passedIds());
    still.addAll(after.tests().failing());
    return before.tests().passedIds().stream().filter(id -> !still.contains(id)).toList();
  }

  /**
   * Findings in {@code after} beyond those in {@code before}, counted per fingerprint (file, code,
   * message).
   */
  public static Double newFindings(List<Finding> before, List<Finding> after) {
    if (after == null) {
      return null;
    }
    if (before == null) {
      return (double) after.size();
    }
    Map<String, Integer> counts = new HashMap<>();
    before.forEach(f -> counts.merge(f.fingerprint(), 1, Integer::sum));
    int fresh = 0;
    for (Finding f : after) {
      Integer left = counts.get(f.fingerprint());
      if (left == null || left == 0) {
        fresh++;
      } else {
        counts.put(f.fingerprint(), left - 1);
      }
    }
    return (double) fresh;
  }

  /** The findings of {@code after} that are new, for messages and the PR body. */
  public static List<Finding> newFindingList(List<Finding> before, List<Finding> after) {
    if (after == null) {
      return List.of();
    }
    Map<String, Integer> counts = new HashMap<>();
    if (before != null) {
      before.forEach(f -> counts.merge(f.fingerprint(), 1, Integer::sum));
    }
    return after.stream().filter(f -> counts.merge(f.fingerprint(), -1, Integer::sum) < 0).toList();
  }

  /**
   * The tools that could not run after the batch but did before it (a problem names its tool
   * first).
   */
  public static List<String> newProblems(GateReport before, GateReport after) {
    return after.problems().stream()
        .filter(p -> before.problems().stream().noneMatch(q -> tool(q).equals(tool(p))))
        .toList();
  }

  private static String tool(String problem) {
    int end = 0;
    while (end < problem.length() && Character.isLetter(problem.charAt(end))) {
      end++;
    }
    return problem.substring(0, end);
  }

  /**
   * Percentage of the added executable lines that ran, or null when the batch added none in
   * measured files.
   */
  static Double diffCoverage(Coverage coverage, DiffStats diff) {
    if (coverage == null) {
      return null;
    }
    int executable = 0;
    int covered = 0;
    for (Map.Entry<String, List<Integer>> e : diff.addedLines().entrySet()) {
      Coverage.FileCoverage fc = coverage.files().get(e.getKey());
      if (fc == null) {
        continue;
      }
      Set<Integer> executed = new HashSet<>(fc.executed());
      Set<Integer> missing = new HashSet<>(fc.missing());
      for (int line : e.getValue()) {
        if (executed.contains(line)) {
          executable++;
          covered++;
        } else if (missing.contains(line)) {
          executable++;
        }
      }
    }
    return executable == 0 ? null : round(100.0 * covered / executable);
  }

  private static void put(Map<Metric, Double> m, Metric k, Double v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  public static double round(double v) {
    return Math.round(v * 100.0) / 100.0;
  }
}
