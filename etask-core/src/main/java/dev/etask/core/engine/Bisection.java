package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.History;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Verdict;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * For {@link Delivery}: the batch with which the whole suite fails, found by bisection over the
 * batches on the branch, and taken off (dropped from a branch never pushed, reverted in a new
 * commit when it was).
 */
final class Bisection {
  private final RunContext c;

  Bisection(RunContext c) {
    this.c = c;
  }

  /**
   * Bisection: the first of {@code batches} (oldest first) with which the whole suite fails,
   * measuring a batch's commit against the report it was accepted with, or against {@code held}
   * (the last state the whole suite passed on) once a batch was taken off. The last is known bad,
   * with {@code atTip}: what the whole suite shows with a batch is what it is taken off for.
   */
  Culprit firstBad(GitRepo git, List<BatchState> batches, GateReport held, Delivery.TipCheck atTip)
      throws GitException {
    int lo = 0;
    int hi = batches.size() - 1;
    Delivery.TipCheck found = atTip;
    History history = new History(git);
    try {
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        BatchState b = batches.get(mid);
        history.look(ObjectId.fromString(b.commit()));
        String label = "bisect-" + (b.index() + 1);
        GateReport accepted = c.store().readReport(b.name());
        GateReport probe =
            c.gates()
                .measureSuite(
                    label, c.state().env().sourceDirs(), accepted, RunContext.GATE_TIMEOUT);
        Delivery.TipCheck seen = Delivery.check(c, held != null ? held : accepted, probe);
        boolean bad = seen.failed();
        c.out()
            .info(
                "bisect: with batch "
                    + c.label(b)
                    + " the whole suite "
                    + (bad ? "fails" : "passes"));
        if (bad) {
          hi = mid;
          found = seen;
        } else {
          lo = mid + 1;
        }
      }
    } finally {
      history.back(c.spec().branch());
    }
    return new Culprit(lo, found);
  }

  record Culprit(int index, Delivery.TipCheck check) {}

  /**
   * After a rebase, the culprit's test files merged structurally with the moved base's are what a
   * task is least sure of: their changes alone are dropped (the base's version kept), the rest of
   * the batch stays, and the tip is checked again (scenario C). False when there is nothing to drop
   * so (no merged file, or the batch is only those files, or a later commit needs them): the batch
   * is then taken off whole.
   */
  boolean dropMerged(GitRepo git, List<BatchState> batches, int culprit, Delivery.TipCheck check)
      throws GitException {
    BatchState bad = batches.get(culprit);
    List<String> merged = bad.mergedFiles();
    ObjectId commit = ObjectId.fromString(bad.commit());
    if (merged.isEmpty() || merged.containsAll(git.changedPaths(git.parse(commit)))) {
      return false;
    }
    List<ObjectId> later = new ArrayList<>();
    git.commitsSince(commit, git.head()).forEach(x -> later.add(x.getId()));
    Map<ObjectId, ObjectId> moved;
    try {
      moved = new History(git).dropPaths(commit, merged, later, c.ident());
    } catch (GitException e) {
      c.out().info("cannot drop only " + String.join(", ", merged) + ": " + e.getMessage());
      return false;
    }
    List<String> wrong = check.details();
    String why =
        "the whole suite fails with them: "
            + String.join(", ", wrong.subList(0, Math.min(3, wrong.size())));
    follow(moved);
    bad.mergeDropped(merged, why, moved.get(commit).name());
    c.state().label("needs-manual-review");
    c.out()
        .warn(
            "batch "
                + c.label(bad)
                + ": its changes to "
                + String.join(", ", merged)
                + " (merged structurally with the moved base's) dropped, the rest kept: "
                + why);
    return true;
  }

  void takeOff(GitRepo git, List<BatchState> batches, int culprit, Delivery.TipCheck check)
      throws GitException {
    RunState state = c.state();
    BatchState bad = batches.get(culprit);
    ObjectId commit = ObjectId.fromString(bad.commit());
    if (!git.isAncestor(commit, git.head())) {
      throw new GitException(
          "batch " + c.label(bad) + "'s commit " + bad.commit() + " is not on the branch",
          false,
          null);
    }
    List<String> wrong = check.details();
    String why =
        "the whole suite fails with it, which running its new tests alone could not see: "
            + String.join(", ", wrong.subList(0, Math.min(5, wrong.size())))
            + (wrong.size() > 5 ? " … (" + wrong.size() + ")" : "");
    // the rules and labels full validation would have given it, and how it was found
    List<String> rules = new ArrayList<>(check.rules());
    rules.add("full_suite");
    List<String> labels = new ArrayList<>(check.labels());
    labels.add(Delivery.LABEL);
    Decision d = new Decision(Verdict.ROLLBACK, why, rules, labels);
    History history = new History(git);
    boolean pushed =
        state.git().lastPushedSha() != null
            && git.isAncestor(commit, ObjectId.fromString(state.git().lastPushedSha()));
    if (pushed) {
      ObjectId revert =
          history.revert(
              commit,
              "Revert batch " + (bad.index() + 1) + ": the whole suite fails with it",
              c.spec().id(),
              Map.of(CommitPhase.BATCH_TRAILER, String.valueOf(bad.index() + 1)),
              c.ident());
      state.git().own(revert.name());
      bad.rejectedByFullSuite(d, revert.name());
      c.out()
          .warn(
              "batch " + c.label(bad) + " reverted in " + RunContext.shortSha(revert) + ": " + why);
      return;
    }
    List<ObjectId> later = new ArrayList<>();
    git.commitsSince(commit, git.head()).forEach(x -> later.add(x.getId()));
    Map<ObjectId, ObjectId> moved = history.drop(commit, later, c.ident());
    follow(moved);
    bad.rejectedByFullSuite(d, null);
    c.out().warn("batch " + c.label(bad) + " dropped before the push: " + why);
  }

  /** The batches whose commits were made again ({@code moved}: new by old) are those copies now. */
  private void follow(Map<ObjectId, ObjectId> moved) {
    for (BatchState b : c.state().batches()) {
      if (b.committed() && moved.containsKey(ObjectId.fromString(b.commit()))) {
        ObjectId now = moved.get(ObjectId.fromString(b.commit()));
        c.state().git().own(now.name());
        b.committed(now.name());
      }
    }
  }
}
