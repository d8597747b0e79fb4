package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.History;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.Verdict;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What is delivered is guarded by the whole suite (DESIGN §5): batches validated incrementally are
 * pushed only after the whole suite passed on the tip (the tests under coverage; ruff and mypy
 * already saw everything those batches changed). When it fails there, the batch it fails with is
 * found by bisection over those batches and taken off (dropped when never pushed, reverted in a new
 * commit when already on the origin), labelled {@code full-suite-failed}, and the tip is checked
 * again.
 */
final class Delivery {
  static final String LABEL = "full-suite-failed";
  private final RunContext c;

  Delivery(RunContext c) {
    this.c = c;
  }

  /**
   * True when the tip is verified (the whole suite passed on it, or nothing is unverified). {@code
   * rebased}: the tip was just rebased onto a moved base, so what fails there may come from the
   * base: nothing is taken off then, nothing is pushed, and the task asks for a person.
   */
  boolean verify(GitRepo git, boolean rebased) throws GitException {
    RunState state = c.state();
    for (int round = 0; round <= state.batches.size(); round++) {
      ObjectId head = git.head();
      if (head.name().equals(state.fullCheckedSha)) {
        return true;
      }
      if (head.name().equals(state.rebasedTipFailed)) {
        c.out()
            .warn(
                "the whole suite failed on this tip after it was rebased onto the moved "
                    + state.base
                    + ": no batch is taken off and nothing is pushed until a person looks"
                    + " (needs-manual-review)");
        state.taskLabels.add("needs-manual-review");
        return false;
      }
      List<BatchState> unverified = unverified(git);
      if (unverified.isEmpty()) {
        state.fullCheckedSha = head.name();
        return true;
      }
      c.out()
          .info(
              "the whole suite on the tip before the push ("
                  + unverified.size()
                  + " batch(es) validated incrementally) …");
      GateReport expected = c.store().readReport("current");
      GateReport tip =
          c.gates().measureSuite("tip", state.sourceDirs, expected, RunContext.GATE_TIMEOUT);
      c.store().writeReport("tip", tip);
      List<String> blind = Measurements.newProblems(expected, tip);
      if (!blind.isEmpty()) {
        // a suite that could not run says nothing about the batches: none is blamed
        c.out().warn("the whole suite could not run on the tip: " + String.join("; ", blind));
        return false;
      }
      List<String> wrong = wrong(expected, tip, round == 0 ? addedBy(unverified) : List.of());
      if (wrong.isEmpty()) {
        c.store().promote("tip");
        state.fullReport = "tip";
        state.fullCheckedSha = head.name();
        c.out().info("the whole suite passes on the tip: " + PreparePhase.line(tip));
        return true;
      }
      if (rebased) {
        state.rebasedTipFailed = head.name();
        state.taskLabels.add("needs-manual-review");
        c.out()
            .warn(
                "the whole suite fails on the tip rebased onto the moved "
                    + state.base
                    + " ("
                    + String.join(", ", wrong.subList(0, Math.min(5, wrong.size())))
                    + "): the base may be the cause, so no batch is taken off"
                    + " (needs-manual-review)");
        return false;
      }
      int culprit = firstBad(git, unverified);
      takeOff(git, unverified, culprit, wrong);
      c.store().save();
    }
    return false;
  }

  /** Committed batches validated incrementally after the last tip the whole suite passed on. */
  private List<BatchState> unverified(GitRepo git) throws GitException {
    List<BatchState> out = new ArrayList<>();
    ObjectId checked =
        c.state().fullCheckedSha == null ? null : ObjectId.fromString(c.state().fullCheckedSha);
    for (BatchState b : c.state().batches) {
      if (b.committed()
          && "incremental".equals(b.validation())
          && (checked == null || !git.isAncestor(ObjectId.fromString(b.commit()), checked))) {
        out.add(b);
      }
    }
    return out;
  }

  /**
   * What the whole suite shows that the incremental measurements did not: tests failing that did
   * not, tests gone ({@code removals}: on the first check only, before any batch was taken off),
   * gates that could not run.
   */
  private static List<String> wrong(GateReport expected, GateReport tip, List<String> modules) {
    Set<String> failing = new LinkedHashSet<>(expected.tests().failing());
    List<String> out = new ArrayList<>();
    tip.tests().failing().stream().filter(t -> !failing.contains(t)).forEach(t -> out.add(t));
    Measurements.removedTests(expected, tip).stream()
        .filter(
            t -> modules.stream().anyMatch(m -> t.startsWith(m + "::") || t.startsWith(m + ".")))
        .forEach(t -> out.add(t + " (runs alone, not in the whole suite)"));
    Measurements.newProblems(expected, tip).forEach(p -> out.add("a gate could not run: " + p));
    return out;
  }

  /**
   * The test modules (dotted, as test ids name them) the batches added: their tests that the whole
   * suite does not run were only ever run by name.
   */
  private static List<String> addedBy(List<BatchState> batches) {
    List<String> out = new ArrayList<>();
    for (BatchState b : batches) {
      for (String f : b.changedFiles()) {
        if (f.endsWith(".py")) {
          out.add(f.substring(0, f.length() - 3).replace('/', '.'));
        }
      }
    }
    return out;
  }

  /**
   * Bisection: the first of {@code batches} (oldest first) with which the whole suite fails,
   * measuring a batch's commit against the report it was accepted with. The last is known bad.
   */
  private int firstBad(GitRepo git, List<BatchState> batches) throws GitException {
    int lo = 0;
    int hi = batches.size() - 1;
    History history = new History(git);
    try {
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        BatchState b = batches.get(mid);
        history.look(ObjectId.fromString(b.commit()));
        String label = "bisect-" + (b.index() + 1);
        GateReport accepted = c.store().readReport("batch-" + (b.index() + 1));
        GateReport probe =
            c.gates().measureSuite(label, c.state().sourceDirs, accepted, RunContext.GATE_TIMEOUT);
        boolean bad = !wrong(accepted, probe, List.of()).isEmpty();
        c.out()
            .info(
                "bisect: with batch "
                    + c.label(b)
                    + " the whole suite "
                    + (bad ? "fails" : "passes"));
        if (bad) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
    } finally {
      history.back(c.spec().branch());
    }
    return lo;
  }

  private void takeOff(GitRepo git, List<BatchState> batches, int culprit, List<String> wrong)
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
    String why =
        "the whole suite fails with it, which running its new tests alone could not see: "
            + String.join(", ", wrong.subList(0, Math.min(5, wrong.size())))
            + (wrong.size() > 5 ? " … (" + wrong.size() + ")" : "");
    Decision d = new Decision(Verdict.ROLLBACK, why, List.of("full_suite"), List.of(LABEL));
    History history = new History(git);
    boolean pushed =
        state.lastPushedSha != null
            && git.isAncestor(commit, ObjectId.fromString(state.lastPushedSha));
    if (pushed) {
      ObjectId revert =
          history.revert(
              commit,
              "Revert batch " + (bad.index() + 1) + ": the whole suite fails with it",
              c.spec().id(),
              Map.of(CommitPhase.BATCH_TRAILER, String.valueOf(bad.index() + 1)),
              c.ident());
      state.ownCommits.add(revert.name());
      bad.rejectedByFullSuite(d, revert.name());
      c.out()
          .warn(
              "batch " + c.label(bad) + " reverted in " + RunContext.shortSha(revert) + ": " + why);
      return;
    }
    List<ObjectId> later = new ArrayList<>();
    git.commitsSince(commit, git.head()).forEach(x -> later.add(x.getId()));
    Map<ObjectId, ObjectId> moved = history.drop(commit, later, c.ident());
    for (BatchState b : state.batches) {
      if (b.committed() && moved.containsKey(ObjectId.fromString(b.commit()))) {
        ObjectId now = moved.get(ObjectId.fromString(b.commit()));
        state.ownCommits.add(now.name());
        b.committed(now.name());
      }
    }
    bad.rejectedByFullSuite(d, null);
    c.out().warn("batch " + c.label(bad) + " dropped before the push: " + why);
  }
}
