package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.TestResults;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.History;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.spec.Metric;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What is delivered is guarded by the whole suite (docs/ARCHITECTURE.md §5): batches validated
 * incrementally are pushed only after the whole suite passed on the tip (the tests under coverage;
 * ruff and mypy already saw everything those batches changed). When it fails there, the batch it
 * fails with is found by bisection over those batches and taken off (dropped when never pushed,
 * reverted in a new commit when already on the origin), labelled {@code full-suite-failed}, and the
 * tip is checked again.
 */
final class Delivery {
  static final String LABEL = "full-suite-failed";
  private final RunContext c;
  private final Bisection bisection;

  Delivery(RunContext c) {
    this.c = c;
    this.bisection = new Bisection(c);
  }

  /**
   * True when the tip is verified (the whole suite passed on it, or nothing is unverified). A tip
   * just rebased onto a moved base is verified by {@link #verifyRebased}.
   */
  boolean verify(GitRepo git) throws GitException {
    return verify(git, "before the push");
  }

  /**
   * Before batch {@code batch} is validated with the whole suite ({@code why}): the batches
   * validated incrementally before it are verified first, and what fails taken off, so it is judged
   * against a state the whole suite passed on, as full validation would judge it. The clone goes
   * back to the tip for that. Returns the batch's tree on the tip as it then stands (its changes
   * made again when a batch was taken off), or null when they no longer apply.
   */
  ObjectId settle(GitRepo git, BatchState batch, ObjectId tree, String why) throws GitException {
    if (unverified(git).isEmpty()) {
      return tree;
    }
    ObjectId head = git.head();
    ObjectId headTree = git.headTree();
    c.staging().restore(git); // the batch's tree is recorded: it is made again for its gates
    verify(
        git, "before batch " + c.label(batch) + " (validated with the whole suite: " + why + ")");
    ObjectId now =
        git.head().equals(head)
            ? tree
            : dev.etask.core.git.Trees.replay(git, headTree, tree, git.headTree());
    if (now != null) {
      c.staging().show(git, now);
    }
    return now;
  }

  private boolean verify(GitRepo git, String purpose) throws GitException {
    RunState state = c.state();
    for (int round = 0; round <= state.batches().size(); round++) {
      ObjectId head = git.head();
      if (head.name().equals(state.git().fullCheckedSha())) {
        if (round > 0) {
          c.store().promote(state.git().fullReport()); // what is left is the state last verified
        }
        return true;
      }
      if (head.name().equals(state.git().rebasedTipFailed())) {
        waitForAPerson();
        return false;
      }
      List<BatchState> unverified = unverified(git);
      if (unverified.isEmpty()) {
        holdsStill(round, head);
        return true;
      }
      c.out()
          .info(
              "the whole suite on the tip "
                  + purpose
                  + " ("
                  + unverified.size()
                  + " batch(es) validated incrementally) …");
      GateReport current = c.store().readReport("current");
      // once a batch is taken off, what the others were measured with (their tests and coverage
      // included) no longer holds: the tip is then held to the last state the whole suite passed on
      GateReport expected = round == 0 ? current : c.store().readReport(state.git().fullReport());
      GateReport tip =
          c.gates().measureSuite("tip", state.env().sourceDirs(), current, RunContext.GATE_TIMEOUT);
      c.store().writeReport("tip", tip);
      List<String> blind = Measurements.newProblems(expected, tip);
      if (!blind.isEmpty() && !blind.stream().allMatch(TestResults::collectionError)) {
        // a suite that could not run (a time limit, a crash) says nothing about the batches: none
        // is blamed; one that could not collect its tests is a batch's doing, found by bisection
        c.out().warn("the whole suite could not run on the tip: " + String.join("; ", blind));
        return false;
      }
      TipCheck wrong = check(c, expected, tip);
      if (!wrong.failed()) {
        passed(tip, head);
        return true;
      }
      Bisection.Culprit culprit =
          bisection.firstBad(git, unverified, round == 0 ? null : expected, wrong);
      bisection.takeOff(git, unverified, culprit.index(), culprit.check());
      c.store().save();
    }
    return false;
  }

  /**
   * After the task's commits were made again on the moved base {@code base}: the base is measured
   * first (the whole suite, as the tip will be), and is the baseline from then on; then the tip is
   * held to it by the rule book, and what fails is found by bisection over the task's batches on
   * the new base and taken off, until the tip passes. False when the base itself cannot be measured
   * (nothing is taken off then, and nothing pushed) or nothing is left to blame.
   */
  boolean verifyRebased(GitRepo git, ObjectId base) throws GitException {
    RunState state = c.state();
    GateReport onBase = measureMovedBase(git, base);
    if (onBase == null) {
      waitForAPerson();
      return false;
    }
    c.store().copy("moved-base", "baseline"); // the task is judged against the base it is on now
    // a round takes a batch off, or first its merged test files alone
    for (int round = 0; round <= 2 * state.batches().size(); round++) {
      ObjectId head = git.head();
      GateReport tip =
          c.gates().measureSuite("tip", state.env().sourceDirs(), onBase, RunContext.GATE_TIMEOUT);
      c.store().writeReport("tip", tip);
      TipCheck wrong = check(c, onBase, tip);
      if (!wrong.failed()) {
        passed(tip, head);
        return true;
      }
      List<BatchState> onBranch = new ArrayList<>();
      for (BatchState b : state.batches()) {
        if (b.committed()
            && b.revertedBy() == null
            && git.isAncestor(base, ObjectId.fromString(b.commit()))) {
          onBranch.add(b);
        }
      }
      if (onBranch.isEmpty()) {
        blameNoBatch(head, wrong);
        return false;
      }
      c.out()
          .info(
              "the whole suite fails on the rebased tip against the moved base ("
                  + String.join(
                      ", ", wrong.details().subList(0, Math.min(3, wrong.details().size())))
                  + "): bisecting over its "
                  + onBranch.size()
                  + " batch(es)");
      Bisection.Culprit culprit = bisection.firstBad(git, onBranch, onBase, wrong);
      if (!bisection.dropMerged(git, onBranch, culprit.index(), culprit.check())) {
        bisection.takeOff(git, onBranch, culprit.index(), culprit.check());
      }
      c.store().save();
    }
    return false;
  }

  /**
   * The moved base measured with all the gates, in the environment it declares (followed there and
   * back to the tip's), or taken from the baseline cache when a task measured that base in such an
   * environment before, and put there otherwise; null when the gates could not run on it (said).
   */
  private GateReport measureMovedBase(GitRepo git, ObjectId base) throws GitException {
    GateReport before = c.store().readReport("baseline");
    History history = new History(git);
    GateReport onBase;
    try {
      history.look(base);
      onBase = measureOrFind(base);
    } catch (dev.etask.core.spec.EtaskException e) {
      if (e.code() != dev.etask.core.spec.EtaskException.Code.ENV_FAILED) {
        throw e;
      }
      c.out().warn("the moved base's dependencies do not install: " + e.getMessage());
      return null;
    } finally {
      history.back(c.spec().branch());
      if (ProjectEnvironment.follow(c)) {
        c.out().info("the Python environment is the rebased branch's");
      }
    }
    List<String> blind = Measurements.newProblems(before, onBase);
    if (!blind.isEmpty()) {
      c.out().warn("the whole suite could not run on the moved base: " + String.join("; ", blind));
      return null;
    }
    return onBase;
  }

  /** The checked-out moved base's report "moved-base", from the cache or measured and stored. */
  private GateReport measureOrFind(ObjectId base) {
    RunState state = c.state();
    if (ProjectEnvironment.follow(c)) {
      c.out().info("the Python environment is the moved " + state.git().base() + "'s");
    }
    long t0 = System.nanoTime();
    BaselineCache cache = new BaselineCache(c.sharedCacheDir(), c.out(), c.redactor());
    String key = BaselineCache.key(c, base.name());
    var cached = key == null ? java.util.Optional.<BaselineCache.Entry>empty() : cache.find(key);
    if (cached.isPresent() && BaselineCache.adopt(c, cached.get(), "moved-base")) {
      c.out()
          .info(
              "the moved "
                  + state.git().base()
                  + " from the cache (measured "
                  + cached.get().created()
                  + ") in "
                  + RunContext.secs(t0)
                  + ": "
                  + PreparePhase.line(cached.get().report()));
      return cached.get().report();
    }
    c.out()
        .info(
            "measuring the moved "
                + state.git().base()
                + " first (ruff, the whole suite under coverage, mypy) …");
    // all the gates, as PREPARE measures a base: its lint and type findings are the baseline too
    GateReport onBase =
        c.gates().measure("moved-base", state.env().sourceDirs(), RunContext.GATE_TIMEOUT);
    c.store().writeReport("moved-base", onBase);
    // other tasks take it as their baseline: only when nothing the task ran could have touched the
    // environment it was measured in (the sandbox kept the venv read-only, and no install of
    // generated code built it)
    if (key != null
        && c.sandboxing().on()
        && !java.nio.file.Files.exists(c.ws().venvFromGeneratedCode())) {
      cache.put(key, onBase, c.store().coverageData("moved-base"), c.ws().repo());
    }
    return onBase;
  }

  /**
   * Nothing on {@code head} is unverified: the last verified report holds for it (and is the state
   * again after a round that took batches off).
   */
  private void holdsStill(int round, ObjectId head) {
    RunState state = c.state();
    if (round > 0) {
      c.store().promote(state.git().fullReport()); // what is left is the state last verified
    }
    state.git().verified(state.git().fullReport(), head.name());
  }

  /** The tip failed right after a rebase onto the moved base: it waits for a person. */
  private void waitForAPerson() {
    RunState state = c.state();
    c.out()
        .warn(
            "the whole suite failed on this tip after it was rebased onto the moved "
                + state.git().base()
                + ": no batch is taken off and nothing is pushed until a person looks"
                + " (needs-manual-review)");
    state.label("needs-manual-review");
  }

  /** The whole suite judged the tip as full validation would: it is verified. */
  private void passed(GateReport tip, ObjectId head) {
    RunState state = c.state();
    c.store().copy("tip", "verified"); // "tip" is measured again by the next check
    c.store().promote("tip");
    state.git().verified("verified", head.name());
    int failing = tip.tests().failing().size();
    c.out()
        .info(
            failing == 0
                ? "the whole suite passes on the tip: " + PreparePhase.line(tip)
                : "the whole suite on the tip fails nothing new: "
                    + PreparePhase.line(tip)
                    + " (the "
                    + failing
                    + " failing test(s) failed before the task too)");
  }

  /** The tip fails after a rebase: the base may be the cause, so no batch is taken off. */
  private void blameNoBatch(ObjectId head, TipCheck wrong) {
    RunState state = c.state();
    state.git().failedAfterRebase(head.name());
    state.label("needs-manual-review");
    c.out()
        .warn(
            "the whole suite fails on the tip rebased onto the moved "
                + state.git().base()
                + " ("
                + String.join(", ", wrong.details().subList(0, Math.min(5, wrong.details().size())))
                + "): the base may be the cause, so no batch is taken off"
                + " (needs-manual-review)");
  }

  /** Committed batches validated incrementally after the last tip the whole suite passed on. */
  private List<BatchState> unverified(GitRepo git) throws GitException {
    List<BatchState> out = new ArrayList<>();
    ObjectId checked =
        c.state().git().fullCheckedSha() == null
            ? null
            : ObjectId.fromString(c.state().git().fullCheckedSha());
    for (BatchState b : c.state().batches()) {
      if (b.committed()
          && "incremental".equals(b.validation())
          && (checked == null || !git.isAncestor(ObjectId.fromString(b.commit()), checked))) {
        out.add(b);
      }
    }
    return out;
  }

  /**
   * What the whole suite shows that the incremental measurements did not, judged by the rule book
   * full validation applies: tests failing that did not, tests that ran and no longer run (a new
   * test that deselects others, a test run alone that the suite never collects), coverage lower
   * than measured, gates that could not run (a collection error). {@code details} name what went
   * wrong; empty when the tip passes.
   */
  record TipCheck(List<String> details, List<String> rules, List<String> labels) {
    boolean failed() {
      return !details.isEmpty();
    }
  }

  static TipCheck check(RunContext c, GateReport expected, GateReport tip) {
    List<String> problems = Measurements.newProblems(expected, tip);
    Map<Metric, Double> metrics =
        Measurements.compare(expected, tip, new DiffStats(0, 0, 0, Map.of()));
    Decision d = new RuleBook(c.spec()).decide(metrics, problems);
    if (d.verdict().commits()) {
      return new TipCheck(List.of(), List.of(), List.of());
    }
    Set<String> failing = new LinkedHashSet<>(expected.tests().failing());
    List<String> out = new ArrayList<>();
    tip.tests().failing().stream().filter(t -> !failing.contains(t)).forEach(out::add);
    List<String> removed = Measurements.removedTests(expected, tip);
    removed.stream().limit(20).forEach(t -> out.add(t + " (no longer runs in the whole suite)"));
    if (removed.size() > 20) {
      out.add("… and " + (removed.size() - 20) + " more tests that no longer run");
    }
    if (expected.coverage() != null && tip.coverage() != null) {
      out.add(
          String.format(
              java.util.Locale.ROOT,
              "coverage %.2f%% in the whole suite (%.2f%% measured batch by batch)",
              tip.coveragePercent(),
              expected.coveragePercent()));
    }
    problems.forEach(p -> out.add("a gate could not run: " + p));
    out.add(0, d.reason());
    return new TipCheck(out, d.rules(), d.labels());
  }
}
