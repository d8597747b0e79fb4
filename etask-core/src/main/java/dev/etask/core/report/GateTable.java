package dev.etask.core.report;

import dev.etask.core.gates.GateReport;
import dev.etask.core.spec.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The gate table a person reads: gate, before, after, delta, verdict. */
public final class GateTable {
  private GateTable() {}

  /**
   * One row; {@code verdict} is "ok", "FAIL", "could not run", "off" (a gate the project does not
   * use) or "info".
   */
  public record Row(String gate, String before, String after, String delta, String verdict) {}

  public static List<Row> rows(
      GateReport before, GateReport after, Map<Metric, Double> m, List<String> firedRules) {
    return rows(before, after, m, firedRules, false);
  }

  /** The same; {@code typesOff}: the type gate is off for this project (its row says so). */
  public static List<Row> rows(
      GateReport before,
      GateReport after,
      Map<Metric, Double> m,
      List<String> firedRules,
      boolean typesOff) {
    List<Row> rows = new ArrayList<>();
    boolean testsRan =
        after.problems().stream()
            .noneMatch(p -> p.startsWith("pytest") || p.startsWith("unittest"));
    rows.add(
        new Row(
            "tests",
            tests(before),
            tests(after),
            signed(after.tests().passed() - before.tests().passed()) + " passed",
            verdict(
                (firedRules.contains("tests_failed") || firedRules.contains("tests_removed"))
                    && testsRan,
                testsRan)));
    rows.add(
        new Row(
            "coverage",
            pct(before.coveragePercent()),
            pct(after.coveragePercent()),
            m.containsKey(Metric.COVERAGE_DELTA) ? signed(m.get(Metric.COVERAGE_DELTA)) : "n/a",
            verdict(firedRules.contains("coverage_drop"), after.coverage() != null)));
    rows.add(
        new Row(
            "lint (ruff)",
            count(before.lint()),
            count(after.lint()),
            m.containsKey(Metric.NEW_LINT_ERRORS)
                ? fmt(m.get(Metric.NEW_LINT_ERRORS)) + " new"
                : "n/a",
            verdict(firedRules.contains("lint"), after.lint() != null)));
    rows.add(
        new Row(
            "types (mypy)",
            count(before.types()),
            count(after.types()),
            m.containsKey(Metric.NEW_TYPE_ERRORS)
                ? fmt(m.get(Metric.NEW_TYPE_ERRORS)) + " new"
                : "n/a",
            typesOff ? "off" : verdict(firedRules.contains("type"), after.types() != null)));
    if (m.containsKey(Metric.DIFF_LINES)) {
      rows.add(
          new Row(
              "diff",
              "",
              fmt(m.get(Metric.DIFF_FILES)) + " files",
              fmt(m.get(Metric.DIFF_LINES)) + " lines",
              verdict(firedRules.contains("large_diff"), true)));
    }
    if (m.containsKey(Metric.DIFF_COVERAGE)) {
      rows.add(new Row("diff coverage", "", pct(m.get(Metric.DIFF_COVERAGE)), "", "info"));
    }
    return rows;
  }

  /** Plain-text rendering with aligned columns. */
  public static List<String> text(List<Row> rows) {
    String[] head = {"gate", "before", "after", "delta", "verdict"};
    int[] w = new int[5];
    for (int i = 0; i < 5; i++) {
      w[i] = head[i].length();
    }
    for (Row r : rows) {
      String[] c = cells(r);
      for (int i = 0; i < 5; i++) {
        w[i] = Math.max(w[i], c[i].length());
      }
    }
    List<String> out = new ArrayList<>();
    out.add(line(head, w));
    for (Row r : rows) {
      out.add(line(cells(r), w));
    }
    return out;
  }

  private static String[] cells(Row r) {
    return new String[] {r.gate(), r.before(), r.after(), r.delta(), r.verdict()};
  }

  private static String line(String[] c, int[] w) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < c.length; i++) {
      b.append(String.format(Locale.ROOT, "%-" + w[i] + "s", c[i]));
      if (i < c.length - 1) {
        b.append("  ");
      }
    }
    return b.toString().stripTrailing();
  }

  private static String verdict(boolean fired, boolean ran) {
    return !ran ? "could not run" : fired ? "FAIL" : "ok";
  }

  public static String tests(GateReport r) {
    int failing = r.tests().failed() + r.tests().errors();
    return r.tests().passed()
        + " passed"
        + (failing > 0 ? ", " + failing + " failing" : "")
        + (r.tests().skipped() > 0 ? ", " + r.tests().skipped() + " skipped" : "");
  }

  static String count(List<?> findings) {
    return findings == null ? "n/a" : String.valueOf(findings.size());
  }

  public static String pct(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.2f%%", v);
  }

  public static String signed(double v) {
    String s = fmt(v);
    return v > 0 ? "+" + s : s;
  }

  public static String fmt(Double v) {
    if (v == null) {
      return "n/a";
    }
    return v == Math.rint(v)
        ? String.valueOf(v.longValue())
        : String.format(Locale.ROOT, "%.2f", v);
  }
}
