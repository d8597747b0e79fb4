package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.report.GateTable;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RiskAssessor;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's outcome (docs/ARCHITECTURE.md §7) as a pure function of the spec, the run state and the
 * reports of the base and of the branch's tip: totals before and after, labels, risk level, partial
 * ratio and the exit code (0 ok, 1 fatal, 2 partial or risky).
 */
final class Outcomes {
  private Outcomes() {}

  /** {@code baseline} and {@code current} are null when the task was never prepared. */
  static Outcome of(TaskSpec spec, RunState state, GateReport baseline, GateReport current) {
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
    if (baseline != null && current != null) {
      totals(state, baseline, current, metrics, totals);
    }
    long commits = state.committedCount() + state.git().adoptedCommits();
    int totalFiles = state.batches().stream().mapToInt(b -> b.files().size()).sum();
    int doneFiles =
        state.batches().stream().filter(BatchState::done).mapToInt(b -> b.files().size()).sum();
    boolean partial = state.fatal() == null && state.analyzed() && doneFiles < totalFiles;
    double ratio = totalFiles == 0 ? 0 : Math.round(1000.0 * doneFiles / totalFiles) / 1000.0;

    Set<String> produced = riskLabels(state, partial);
    // what the task's type always produces says what the PR is, not that a person should look
    Set<String> riskLabels = new LinkedHashSet<>(produced);
    riskLabels.removeAll(spec.informationalLabels());
    String semantic = semanticRisk(state);
    if (semantic != null && !semantic.equals("low")) {
      riskLabels.add("semantic-risk-" + semantic); // a model's medium or high wants a person
    }
    String risk = higher(RiskAssessor.level(spec, metrics, List.copyOf(riskLabels)), semantic);
    Set<String> labels = new LinkedHashSet<>(spec.pr().labels());
    labels.addAll(produced);
    if (semantic != null) {
      labels.add("semantic-risk-" + semantic);
    }
    boolean allAccepted = state.batches().stream().allMatch(b -> settled(spec, b));
    int exit;
    if (state.fatal() != null || (state.aborted() != null && commits == 0)) {
      exit = 1;
    } else if (partial || !allAccepted || !riskLabels.isEmpty() || risk.equals("high")) {
      exit = 2;
    } else {
      exit = 0;
    }
    String summary =
        nothingToChange(spec, state)
            ? "nothing to change: the built-in generator found no work in "
                + state.batches().size()
                + " batch(es)"
            : summary(state, commits, totals, risk, riskLabels);
    return new Outcome(
        exit,
        partial,
        ratio,
        risk,
        List.copyOf(labels),
        List.copyOf(riskLabels),
        commits,
        totals,
        summary);
  }

  /** The metrics of the tip against the base, and the totals status.json and the PR show. */
  private static void totals(
      RunState state,
      GateReport baseline,
      GateReport current,
      Map<Metric, Double> metrics,
      Map<String, Double> totals) {
    metrics.putAll(Measurements.compare(baseline, current, null));
    int files = 0;
    int lines = 0;
    for (BatchState b : state.batches()) {
      if (b.committed()) {
        files += b.metrics().getOrDefault("diff_files", 0.0).intValue();
        lines += b.metrics().getOrDefault("diff_lines", 0.0).intValue();
      }
    }
    metrics.put(Metric.DIFF_FILES, (double) files);
    metrics.put(Metric.DIFF_LINES, (double) lines);
    metrics.forEach((k, v) -> totals.put(k.key(), v));
    totals.put("tests_passed_before", (double) baseline.tests().passed());
    totals.put("tests_skipped_before", (double) baseline.tests().skipped());
    totals.put("tests_failing_before", (double) baseline.tests().failing().size());
    totals.put("tests_failing", (double) current.tests().failing().size());
    if (baseline.lint() != null) {
      totals.put("lint_errors_before", (double) baseline.lint().size());
    }
    if (baseline.types() != null) {
      totals.put("type_errors_before", (double) baseline.types().size());
    }
  }

  /**
   * Whether a built-in generator found nothing to change in every batch (an already formatted
   * repository): a task with nothing to deliver that did what it should.
   */
  static boolean nothingToChange(TaskSpec spec, RunState state) {
    return !state.batches().isEmpty()
        && state.batches().stream().allMatch(b -> nothingChanged(spec, b));
  }

  /**
   * Whether a batch ended as a task of its type means to: accepted; kept with only the labels its
   * type always produces; or, for a built-in generator, with nothing to change in its files.
   */
  private static boolean settled(TaskSpec spec, BatchState b) {
    return b.verdict() == Verdict.ACCEPT
        || (b.verdict() == Verdict.KEEP
            && spec.informationalLabels().containsAll(b.labels())
            && !spec.informationalLabels().isEmpty())
        || nothingChanged(spec, b);
  }

  /** Whether {@code b} is a batch in which a built-in generator found nothing to change. */
  private static boolean nothingChanged(TaskSpec spec, BatchState b) {
    return spec.generator().builtin() != null
        && b.verdict() == Verdict.SKIP
        && GeneratedFiles.NOTHING_CHANGED.equals(b.reason());
  }

  /** The labels that say a person should look: the batches', the task's, and why it stopped. */
  /** The risk pr.semantic_review's model gave the accepted diff, or null (none, or it failed). */
  private static String semanticRisk(RunState state) {
    return state.review() == null ? null : state.review().risk();
  }

  private static String higher(String a, String b) {
    List<String> order = List.of("low", "medium", "high");
    return b == null || order.indexOf(a) >= order.indexOf(b) ? a : b;
  }

  private static Set<String> riskLabels(RunState state, boolean partial) {
    Set<String> riskLabels = new LinkedHashSet<>();
    for (BatchState b : state.batches()) {
      if (b.done()) {
        riskLabels.addAll(b.labels());
      }
    }
    riskLabels.addAll(state.taskLabels());
    if (!state.git().foreignCommits().isEmpty()) {
      riskLabels.add("human-edited");
      riskLabels.add("needs-manual-review");
    }
    if (partial) {
      riskLabels.add("partial");
    }
    if (state.aborted() != null) {
      riskLabels.add("aborted");
    }
    return riskLabels;
  }

  private static String summary(
      RunState state,
      long commits,
      Map<String, Double> totals,
      String risk,
      Set<String> riskLabels) {
    return state.fatal() != null
        ? "failed in " + state.fatal().phase() + ": " + state.fatal().code()
        : commits
            + " commit(s), "
            + state.doneCount()
            + "/"
            + state.batches().size()
            + " batches done"
            + (totals.containsKey("coverage_delta")
                ? ", coverage "
                    + GateTable.pct(totals.get("coverage_before"))
                    + " → "
                    + GateTable.pct(totals.get("coverage_after"))
                : "")
            + ", risk "
            + risk
            + (riskLabels.isEmpty() ? "" : " " + riskLabels);
  }
}
