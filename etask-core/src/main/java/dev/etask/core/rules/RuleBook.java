package dev.etask.core.rules;

import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.spec.TaskSpec.Action;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules that judge a batch (docs/ARCHITECTURE.md §5), with the spec's thresholds and overrides.
 * Every rule that fires contributes its label; the most severe action decides the verdict.
 */
public final class RuleBook {
  private final TaskSpec spec;

  public RuleBook(TaskSpec spec) {
    this.spec = spec;
  }

  /** {@code problems} are gates that could not run on the batch but did on the state before it. */
  public Decision decide(Map<Metric, Double> m, List<String> problems) {
    List<Fired> fired = new ArrayList<>();
    TaskSpec.QualityGates g = spec.qualityGates();
    if (!problems.isEmpty()) {
      fired.add(
          new Fired(
              "tests_failed",
              Action.ROLLBACK,
              "gate-error",
              "a gate could not run: " + problems.get(0)));
    }
    tests(m, g, fired);
    coverageLintTypesAndSize(m, g, fired);
    newTests(m, g, fired);
    custom(m, fired);
    return verdict(fired);
  }

  /** Tests that fail now, tests that no longer run. */
  private void tests(Map<Metric, Double> m, TaskSpec.QualityGates g, List<Fired> fired) {
    double newFailures = m.getOrDefault(Metric.NEW_TEST_FAILURES, 0.0);
    if (g.requireAllTestsPass() && newFailures > 0) {
      boolean keep = spec.onTestFailure() == TaskSpec.OnTestFailure.KEEP;
      fire(
          fired,
          "tests_failed",
          keep ? Action.KEEP : Action.ROLLBACK,
          "tests-failed",
          fmt(newFailures) + " test(s) fail that passed or did not exist before");
    }
    double removed = m.getOrDefault(Metric.TESTS_REMOVED, 0.0);
    if (removed > 0) {
      fire(
          fired,
          "tests_removed",
          Action.ROLLBACK,
          "tests-removed",
          fmt(removed)
              + " test(s) that passed before no longer run (deleted, renamed, skipped or not"
              + " collected)");
    }
  }

  /** Coverage that dropped, new lint and type errors, a diff over its limit. */
  private void coverageLintTypesAndSize(
      Map<Metric, Double> m, TaskSpec.QualityGates g, List<Fired> fired) {
    Double delta = m.get(Metric.COVERAGE_DELTA);
    if (delta != null && delta < g.minCoverageDelta() - g.coverageTolerance()) {
      fire(
          fired,
          "coverage_drop",
          Action.ROLLBACK,
          "coverage-risk",
          "coverage changed by "
              + fmt(delta)
              + " points (allowed: "
              + fmt(g.minCoverageDelta() - g.coverageTolerance())
              + ")");
    }
    double newLint = m.getOrDefault(Metric.NEW_LINT_ERRORS, 0.0);
    if (g.forbidNewLintErrors() && newLint > 0) {
      fire(fired, "lint", Action.SKIP, "style-fix-needed", fmt(newLint) + " new lint error(s)");
    }
    double newTypes = m.getOrDefault(Metric.NEW_TYPE_ERRORS, 0.0);
    if (g.forbidNewTypeErrors() && newTypes > 0) {
      fire(fired, "type", Action.ROLLBACK, "type-risk", fmt(newTypes) + " new type error(s)");
    }
    double lines = m.getOrDefault(Metric.DIFF_LINES, 0.0);
    if (lines > g.maxDiffLines()) {
      fire(
          fired,
          "large_diff",
          Action.KEEP,
          "large-diff",
          fmt(lines) + " changed lines (limit " + g.maxDiffLines() + ")");
    }
  }

  /** The batch's new tests: flaky, unable to fail, never collected; runner settings changed. */
  private void newTests(Map<Metric, Double> m, TaskSpec.QualityGates g, List<Fired> fired) {
    if (g.flakyReruns() > 0 && m.getOrDefault(Metric.FLAKY_TESTS, 0.0) > 0) {
      fire(
          fired,
          "flaky",
          Action.ROLLBACK,
          "flaky",
          fmt(m.get(Metric.FLAKY_TESTS)) + " new test(s) changed outcome when run again");
    }
    double weak = m.getOrDefault(Metric.WEAK_TESTS, 0.0);
    double uncollected = m.getOrDefault(Metric.UNCOLLECTED_TESTS, 0.0);
    if (g.checkAssertions() && weak + uncollected > 0) {
      List<String> why = new ArrayList<>();
      if (weak > 0) {
        why.add(
            fmt(weak)
                + " new test(s) that cannot fail (no real assertion, or passing whatever the code returns)");
      }
      if (uncollected > 0) {
        why.add(
            fmt(uncollected)
                + " new test(s) the repository's test run never collects (check testpaths /"
                + " python_files)");
      }
      fire(fired, "weak_tests", Action.KEEP, "weak-tests", String.join(", ", why));
    }
    if (m.getOrDefault(Metric.BINARY_FILES, 0.0) > 0) {
      fire(
          fired,
          "binary_files",
          Action.KEEP,
          "binary-files",
          fmt(m.get(Metric.BINARY_FILES))
              + " binary file(s) changed: they count as no diff lines, so a person looks at them");
    }
    if (m.getOrDefault(Metric.TEST_CONFIG_FILES, 0.0) > 0) {
      fire(
          fired,
          "test_config",
          Action.KEEP,
          "test-config-changed",
          fmt(m.get(Metric.TEST_CONFIG_FILES))
              + " file(s) that configure the test runner or the tools changed");
    }
  }

  /** The spec's own rules. */
  private void custom(Map<Metric, Double> m, List<Fired> fired) {
    for (Map.Entry<String, TaskSpec.RuleOverride> custom : spec.rules().entrySet()) {
      TaskSpec.RuleOverride r = custom.getValue();
      if (r.when() != null && r.when().test(m)) {
        fired.add(
            new Fired(
                custom.getKey(),
                r.action(),
                r.label(),
                custom.getKey() + " (" + r.when().source() + ")"));
      }
    }
  }

  /** The most severe action of the rules that fired decides; every one adds its label. */
  private static Decision verdict(List<Fired> fired) {
    if (fired.isEmpty()) {
      return Decision.accept();
    }
    Verdict verdict = Verdict.ACCEPT;
    Set<String> labels = new LinkedHashSet<>();
    List<String> reasons = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Fired f : fired) {
      Verdict v = toVerdict(f.action);
      if (v.ordinal() > verdict.ordinal()) {
        verdict = v;
      }
      labels.add(f.label);
      if (f.rule.equals("tests_failed") && f.action == Action.KEEP) {
        labels.add("potential-bug");
      }
      reasons.add(f.reason);
      names.add(f.rule);
    }
    return new Decision(verdict, String.join("; ", reasons), names, List.copyOf(labels));
  }

  /** The decision when the generator failed this batch. */
  public Decision generatorFailed(String reason, boolean giveUp) {
    Action action = giveUp ? override("generator_failed", Action.ABORT) : Action.SKIP;
    return new Decision(
        toVerdict(action),
        reason,
        List.of("generator_failed"),
        giveUp ? List.of(label("generator_failed", "aborted")) : List.of());
  }

  private void fire(
      List<Fired> fired, String rule, Action defaultAction, String defaultLabel, String reason) {
    fired.add(new Fired(rule, override(rule, defaultAction), label(rule, defaultLabel), reason));
  }

  private Action override(String rule, Action def) {
    TaskSpec.RuleOverride o = spec.rules().get(rule);
    return o == null || o.action() == null ? def : o.action();
  }

  private String label(String rule, String def) {
    TaskSpec.RuleOverride o = spec.rules().get(rule);
    return o == null || o.label() == null ? def : o.label();
  }

  private static Verdict toVerdict(Action a) {
    return switch (a) {
      case KEEP -> Verdict.KEEP;
      case SKIP -> Verdict.SKIP;
      case ROLLBACK -> Verdict.ROLLBACK;
      case ABORT -> Verdict.ABORT;
    };
  }

  static String fmt(double v) {
    return v == Math.rint(v)
        ? String.valueOf((long) v)
        : String.format(java.util.Locale.ROOT, "%.2f", v);
  }

  private record Fired(String rule, Action action, String label, String reason) {}
}
