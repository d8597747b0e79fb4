package dev.etask.core.report;

import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pull request's title and body, for a busy reviewer: one screen with the summary table first,
 * then decisions and labels, then folded details.
 */
public final class PrBody {
  private static final int EXCERPT_LINES = 40;
  private static final int LEFT_OUT_LINES = 5;
  private static final int REASON_CHARS = 160;

  private PrBody() {}

  public static String title(TaskSpec spec) {
    String prefix = spec.pr().titlePrefix();
    return (prefix == null || prefix.isBlank() ? "" : prefix.strip() + " ")
        + spec.objective().strip();
  }

  /** {@code reproduce}: the command that runs the task again, as the user ran it. */
  public static String render(TaskSpec spec, RunState state, Outcome o, String reproduce) {
    StringBuilder b = new StringBuilder();
    b.append("## ").append(title(spec)).append("\n\n");
    b.append("etask task `")
        .append(spec.id())
        .append("` · `")
        .append(spec.branch())
        .append("` → `")
        .append(state.git().base())
        .append("` · exit ")
        .append(o.exitCode())
        .append(" · risk **")
        .append(o.riskLevel())
        .append("**\n\n");
    if (o.partial()) {
      b.append("> ⚠ Partial result: covers only ")
          .append(Math.round(o.partialRatio() * 100))
          .append("% of the targets (")
          .append(state.limitHit() == null ? "stopped early" : state.limitHit())
          .append(").\n\n");
    }
    b.append(summaryTable(o)).append("\n");

    decisions(b, state, o);
    upgrades(b, state);
    leftOut(b, state);
    attention(b, spec, state);
    details(b, state);
    reproduce(b, state, reproduce);
    return b.toString();
  }

  /** What was decided of the batches, how they were validated, and the labels. */
  private static void decisions(StringBuilder b, RunState state, Outcome o) {
    long accepted = count(state, Verdict.ACCEPT);
    long kept = count(state, Verdict.KEEP);
    long rolledBack = count(state, Verdict.ROLLBACK);
    long skipped = count(state, Verdict.SKIP);
    long pending = state.batches().size() - state.doneCount();
    b.append("**Decisions:** ")
        .append(accepted)
        .append(" of ")
        .append(state.batches().size())
        .append(" batches accepted");
    if (kept > 0) {
      b.append(" · ").append(kept).append(" kept with risk");
    }
    if (rolledBack > 0) {
      b.append(" · ").append(rolledBack).append(" rolled back");
    }
    if (skipped > 0) {
      b.append(" · ").append(skipped).append(" skipped");
    }
    if (pending > 0) {
      b.append(" · ").append(pending).append(" not reached");
    }
    long incremental =
        state.batches().stream().filter(x -> "incremental".equals(x.validation())).count();
    b.append("  \n**Validation:** ")
        .append(
            incremental == 0
                ? "the whole suite for every batch"
                : incremental
                    + " batch(es) that only add tests were validated by their new tests alone;"
                    + " the whole suite ran on the tip before the push");
    b.append("  \n**Labels:** ");
    o.labels().forEach(l -> b.append('`').append(l).append("` "));
    b.append("\n");
  }

  /** batch_mode: per_dependency: each upgrade, its versions and what the gates made of it. */
  private static void upgrades(StringBuilder b, RunState state) {
    List<BatchState> upgrades = state.batches().stream().filter(x -> x.upgrade() != null).toList();
    if (upgrades.isEmpty()) {
      return;
    }
    b.append("\n| dependency | from | to | verdict |\n|---|---|---|---|\n");
    for (BatchState x : upgrades) {
      String verdict =
          x.verdict() == null
              ? "not reached"
              : x.verdict().name().toLowerCase(java.util.Locale.ROOT)
                  + (x.verdict().commits() ? "" : ": " + oneLine(String.valueOf(x.reason())));
      b.append("| `")
          .append(x.upgrade().name())
          .append("` | ")
          .append(x.upgrade().from())
          .append(" | ")
          .append(x.upgrade().to())
          .append(" | ")
          .append(verdict)
          .append(" |\n");
    }
  }

  /** The batches a reviewer should know were not accepted as they are, one line each. */
  private static void leftOut(StringBuilder b, RunState state) {
    List<BatchState> leftOut =
        state.batches().stream()
            .filter(
                x ->
                    x.verdict() == Verdict.ROLLBACK
                        || x.verdict() == Verdict.SKIP
                        || x.verdict() == Verdict.KEEP)
            .toList();
    if (!leftOut.isEmpty()) {
      b.append("\n");
      for (BatchState x : leftOut.subList(0, Math.min(LEFT_OUT_LINES, leftOut.size()))) {
        String what =
            switch (x.verdict()) {
              case ROLLBACK -> "rolled back";
              case SKIP -> "skipped";
              default -> "kept with risk";
            };
        b.append("- batch ")
            .append(x.index() + 1)
            .append(" ")
            .append(code(x.files()))
            .append(" ")
            .append(what)
            .append(": ")
            .append(oneLine(x.reason()))
            .append("\n");
      }
      if (leftOut.size() > LEFT_OUT_LINES) {
        b.append("- … and ")
            .append(leftOut.size() - LEFT_OUT_LINES)
            .append(" more (see Batches below)\n");
      }
    }
  }

  /** What a reviewer must look at: an abort, commits etask did not make, rebase conflicts. */
  private static void attention(StringBuilder b, TaskSpec spec, RunState state) {
    if (state.aborted() != null) {
      b.append("\n**Aborted:** ").append(state.aborted()).append("\n");
    }
    if (!state.git().foreignCommits().isEmpty()) {
      b.append("\n**Human-edited:** `")
          .append(spec.branch())
          .append(
              "` on the origin holds commits etask did not make;"
                  + " etask pushed nothing over them:\n");
      state.git().foreignCommits().forEach(c -> b.append("- ").append(oneLine(c)).append("\n"));
    }
    rebased(b, state);
    semanticReview(b, state);
    reviewComments(b, state);
  }

  /** pr.address_reviews: each reviewer's comment, answered with the commit that addressed it. */
  private static void reviewComments(StringBuilder b, RunState state) {
    if (state.reviewComments().isEmpty()) {
      return;
    }
    b.append("\n**Review comments:**\n");
    for (RunState.ReviewComment x : state.reviewComments()) {
      BatchState batch = state.batches().get(x.batch());
      String answer =
          batch.committed() && batch.commit() != null
              ? "addressed in " + batch.commit().substring(0, Math.min(7, batch.commit().length()))
              : batch.done()
                  ? "not addressed: " + oneLine(String.valueOf(batch.reason()))
                  : "being addressed (batch " + (batch.index() + 1) + ")";
      String text = oneLine(x.body());
      b.append("- ")
          .append(x.author())
          .append(x.path() == null ? "" : " on `" + x.path() + "`")
          .append(": “")
          .append(text.length() > REASON_CHARS ? text.substring(0, REASON_CHARS) + "…" : text)
          .append("” — ")
          .append(answer)
          .append('\n');
    }
  }

  /** pr.semantic_review: the model's rating and reasons, or why it could not review. */
  private static void semanticReview(StringBuilder b, RunState state) {
    RunState.Review r = state.review();
    if (r == null) {
      return;
    }
    if (r.error() != null) {
      b.append("\n**Semantic review:** could not run (")
          .append(oneLine(r.error()))
          .append("); the risk level above is the rule book's alone.\n");
      return;
    }
    b.append("\n**Semantic review** (`")
        .append(r.model())
        .append("`, a model's reading of the accepted diff): risk **")
        .append(r.risk())
        .append("**\n");
    r.reasons().forEach(x -> b.append("- ").append(oneLine(x)).append('\n'));
  }

  /**
   * The base moved under the task: what the rebase onto it merged and what it dropped, and why. (A
   * state from before per-batch conflicts were recorded names only the files.)
   */
  private static void rebased(StringBuilder b, RunState state) {
    List<String> lines = new ArrayList<>();
    String onto = null;
    for (BatchState batch : state.batches()) {
      if (batch.rebasedOnto() != null) {
        onto = batch.rebasedOnto();
      }
      batch.conflicts().forEach(x -> lines.add("- batch " + (batch.index() + 1) + ", " + x));
    }
    if (onto == null && state.git().conflicts().isEmpty()) {
      return;
    }
    b.append("\n**Rebased onto ")
        .append(
            onto == null
                ? "the moved base"
                : "`" + onto.substring(0, Math.min(12, onto.length())) + "`")
        .append(":** ");
    if (lines.isEmpty() && !state.git().conflicts().isEmpty()) {
      b.append("conflicts in ").append(String.join(", ", state.git().conflicts())).append("\n");
    } else if (lines.isEmpty()) {
      b.append("no file conflicted; the whole suite ran again on the result\n");
    } else {
      b.append("the files both changed, and how each came out\n");
      lines.forEach(l -> b.append(l).append("\n"));
    }
  }

  /** Every batch, folded; each failure log and new finding, folded. */
  private static void details(StringBuilder b, RunState state) {
    b.append(
        "\n<details><summary>Batches</summary>\n\n| # | files | decision | reason | Δ coverage | diff coverage | diff lines |\n|---|---|---|---|---:|---:|---:|\n");
    for (BatchState bs : state.batches()) {
      b.append("| ")
          .append(bs.index() + 1)
          .append(" | ")
          .append(code(bs.files()))
          .append(" | ")
          .append(
              bs.verdict() == null
                  ? "not reached"
                  : bs.verdict().name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ")
          .append(oneLine(bs.reason()))
          .append(" | ")
          .append(GateTable.fmt(bs.metrics().get("coverage_delta")))
          .append(" | ")
          .append(GateTable.pct(bs.metrics().get("diff_coverage")))
          .append(" | ")
          .append(GateTable.fmt(bs.metrics().get("diff_lines")))
          .append(" |\n");
    }
    b.append("\n</details>\n");

    for (BatchState bs : state.batches()) {
      if (bs.failureExcerpt() != null && !bs.failureExcerpt().isBlank()) {
        b.append("\n<details><summary>Failure log, batch ")
            .append(bs.index() + 1)
            .append("</summary>\n\n```\n")
            .append(firstLines(bs.failureExcerpt(), EXCERPT_LINES))
            .append("\n```\n\n</details>\n");
      }
      if (!bs.newFindings().isEmpty()) {
        b.append("\n<details><summary>New findings, batch ")
            .append(bs.index() + 1)
            .append("</summary>\n\n```\n")
            .append(firstLines(String.join("\n", bs.newFindings()), EXCERPT_LINES))
            .append("\n```\n\n</details>\n");
      }
    }
  }

  private static void reproduce(StringBuilder b, RunState state, String reproduce) {
    b.append("\n<details><summary>How to reproduce</summary>\n\n```\n")
        .append(reproduce)
        .append("\n```\n\nTools: ");
    state.env().toolVersions().forEach((k, v) -> b.append(k).append(' ').append(v).append(", "));
    if (!state.env().toolVersions().isEmpty()) {
      b.setLength(b.length() - 2);
    }
    b.append("\n\n</details>\n");
  }

  /** The metrics table, before and after: the first thing a reviewer reads. */
  public static String summaryTable(Outcome o) {
    StringBuilder b = new StringBuilder();
    Map<String, Double> t = o.totals();
    b.append("| metric | before | after | Δ |\n|---|---:|---:|---:|\n");
    row(b, "tests passed", t.get("tests_passed_before"), t.get("tests_passed"), false);
    row(b, "tests failing", t.get("tests_failing_before"), t.get("tests_failing"), false);
    if (t.getOrDefault("tests_skipped_before", 0.0) > 0
        || t.getOrDefault("tests_skipped", 0.0) > 0) {
      row(b, "tests skipped", t.get("tests_skipped_before"), t.get("tests_skipped"), false);
    }
    row(b, "coverage %", t.get("coverage_before"), t.get("coverage_after"), true);
    row(b, "lint errors", t.get("lint_errors_before"), t.get("lint_errors"), false);
    row(b, "type errors", t.get("type_errors_before"), t.get("type_errors"), false);
    return b.toString();
  }

  private static void row(
      StringBuilder b, String name, Double before, Double after, boolean percent) {
    String bs = percent ? GateTable.pct(before) : GateTable.fmt(before);
    String as = percent ? GateTable.pct(after) : GateTable.fmt(after);
    String d =
        before == null || after == null
            ? "n/a"
            : GateTable.signed(Math.round((after - before) * 100) / 100.0);
    b.append("| ")
        .append(name)
        .append(" | ")
        .append(bs)
        .append(" | ")
        .append(as)
        .append(" | ")
        .append(d)
        .append(" |\n");
  }

  private static long count(RunState s, Verdict verdict) {
    return s.batches().stream().filter(x -> x.verdict() == verdict).count();
  }

  private static String code(List<String> files) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < files.size() && i < 3; i++) {
      b.append(i > 0 ? ", " : "").append('`').append(files.get(i)).append('`');
    }
    if (files.size() > 3) {
      b.append(" +").append(files.size() - 3);
    }
    return b.toString();
  }

  private static String oneLine(String reason) {
    if (reason == null) {
      return "";
    }
    String r = reason.replace("\n", " ").replace("|", "\\|");
    return r.length() <= REASON_CHARS ? r : r.substring(0, REASON_CHARS - 1) + "…";
  }

  static String firstLines(String text, int n) {
    String[] lines = text.split("\n");
    if (lines.length <= n) {
      return text.strip();
    }
    return String.join("\n", java.util.Arrays.copyOf(lines, n))
        + "\n… ("
        + (lines.length - n)
        + " more lines)";
  }
}
