package dev.etask.core.engine;

import dev.etask.core.gates.BaselineCheck;
import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Origin;
import dev.etask.core.report.GateTable;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Project;
import java.nio.file.Files;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;

/**
 * PREPARE: the origin, the clone (made, or fetched when it exists), the task branch (created, or
 * adopted from the origin when it holds only etask's commits), the Python environment, and the
 * baseline (measured once; kept while the task runs).
 */
final class PreparePhase implements Phase {
  /**
   * The trailer that names the target files of a commit: batches already on an adopted branch are
   * not redone.
   */
  static final String TARGETS_TRAILER = "Etask-Targets";

  @Override
  public String name() {
    return "prepare";
  }

  @Override
  public void execute(RunContext c) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    c.out().phase("PREPARE", spec.id() + " — " + spec.objective());
    c.out().info(c.sandboxing().line());
    dev.etask.core.spec.SpecAdvice.warnings(spec).forEach(c.out()::warn);
    state.env().sandbox(c.sandboxing().status());
    // the code of the batches and of delivery, run once on a throwaway while git and Python work
    c.warmUp();
    BranchGuard guard = new BranchGuard(c);
    if (state.git().tampered() != null) {
      throw guard.generatorPushed(); // for good: only etask:clean starts the task over
    }
    retryAfterAbort(c);
    Origin origin = c.origin();
    PullRequests.prepare(c, origin);
    if (state.prepared() && Files.isDirectory(c.ws().repo().resolve(".git"))) {
      resume(c, origin, guard);
      return;
    }
    ObjectId adopted = Cloning.cloneAndBranch(c, origin);
    if (state.git().halted() != null) {
      return; // nothing can be pushed: no environment, no baseline
    }
    AnalyzePhase.targets(c); // an include that matches nothing is said now, not after the baseline
    // git's status read once on a spare core while the environment is built: the first batch's
    // restore then finds its code loaded and the clone's files read
    c.onSpareThread(
        () -> {
          try (GitRepo git = GitRepo.open(c.ws().repo())) {
            return git.changes();
          } catch (GitException | RuntimeException e) {
            return null; // the first batch's restore reads it again and says what is wrong
          }
        });
    ProjectEnvironment.ensure(c);
    c.changeGuard()
        .sealAhead(); // the first generator's seal, on a spare core while the baseline loads
    measureBaseline(c);
    if (adopted != null) {
      measureAdopted(c, adopted);
    }
    state.prepared(true);
  }

  /** A new attempt after an abort: the batches the generator gave up on are tried again. */
  private static void retryAfterAbort(RunContext c) {
    RunState state = c.state();
    if (state.aborted() != null) {
      // a new attempt after an abort: the batches the generator gave up on are tried again
      for (BatchState b : state.batches()) {
        if (b.done() && b.verdict() == dev.etask.core.rules.Verdict.ABORT && b.commit() == null) {
          b.reopen();
        }
      }
      c.out().info("the last run aborted (" + state.aborted() + "); trying again");
      state.retryAfterAbort();
    }
  }

  /** A prepared task run again: fetched, its branch checked out, its environment ensured. */
  private static void resume(RunContext c, Origin origin, BranchGuard guard) {
    RunState state = c.state();
    try (GitRepo git = c.openClone()) {
      if (!c.sandboxing().on() && git.ownObjects() > 0) {
        // made with the sandbox, run without: a test could write through a link into the origin
        c.out().info("copied the object files the clone shared with its local origin");
      }
      guard.fetch(git);
      ObjectId base = git.remoteTracking(state.git().base());
      guard.check(git);
      c.out()
          .info(
              "fetched "
                  + origin.url()
                  + "; "
                  + state.git().base()
                  + " at "
                  + RunContext.shortSha(base)
                  + (base != null && !base.name().equals(state.git().baseSha())
                      ? " (moved since the baseline; rebased before the next push)"
                      : " (unchanged)"));
      if (!state.branch().equals(git.currentBranch())) {
        git.checkoutBranch(state.branch(), git.resolve("refs/heads/" + state.branch()));
      }
    } catch (GitException e) {
      throw c.gitFailure(Code.CLONE_FAILED, e, Hints.fetchable());
    }
    if (state.git().halted() != null) {
      return;
    }
    ProjectEnvironment.ensure(c);
    c.changeGuard().sealAhead();
    c.out().info("baseline kept: " + line(c.store().readReport("baseline")));
  }

  /** The adopted branch's tip measured: the next batch is judged against it. */
  private static void measureAdopted(RunContext c, ObjectId adopted) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    // the baseline is the base's; the next batch is judged against the adopted branch's tip
    try (GitRepo git = c.openClone()) {
      git.checkoutBranch(spec.branch(), adopted);
    } catch (GitException e) {
      throw c.gitFailure(Code.CLONE_FAILED, e, c.hints().cleanAndRetry());
    }
    ProjectEnvironment.follow(c); // what the adopted branch declares
    GateReport tip =
        c.gates().measure("adopted", state.env().sourceDirs(), RunContext.GATE_TIMEOUT);
    c.store().writeReport("adopted", tip);
    c.store().promote("adopted");
    state.git().verified("adopted", adopted.name());
    c.out().info("adopted branch measured: " + line(tip));
  }

  /**
   * The cached baseline {@code entry} as this task's: its report and coverage data in the store,
   * said as PREPARE says a measured one. False when its data cannot be copied (then it is measured
   * again).
   */
  private static boolean useCached(RunContext c, BaselineCache.Entry entry, long t0) {
    if (!BaselineCache.adopt(c, entry, "baseline")) {
      return false;
    }
    entry.report().problems().forEach(p -> c.out().warn("baseline: " + p));
    useBaseline(c, entry.report());
    c.out()
        .info(
            "baseline from the cache (the same tree, environment and gate settings, measured "
                + entry.created()
                + ") in "
                + RunContext.secs(t0)
                + ": "
                + line(entry.report()));
    warnFailing(c, entry.report());
    return true;
  }

  private static void measureBaseline(RunContext c) {
    RunState state = c.state();
    Project project = c.project();
    long t0 = System.nanoTime();
    BaselineCache cache = new BaselineCache(c.sharedCacheDir(), c.out(), c.redactor());
    String key = BaselineCache.key(c);
    if (key != null && cache.find(key).map(e -> useCached(c, e, t0)).orElse(false)) {
      return;
    }
    c.out()
        .info(
            "measuring the baseline (ruff, "
                + state.env().gates().runner().display()
                + " + coverage, mypy) …");
    GateReport baseline =
        c.gates().measure("baseline", state.env().sourceDirs(), RunContext.GATE_TIMEOUT);
    Optional<BaselineCheck.Failure> unusable =
        BaselineCheck.check(
            baseline,
            project,
            state.env().gates(),
            state.git().base(),
            state.env().gates().describe(c.spec().qualityGates(), project),
            state.env().submodulesMissing());
    if (unusable.isPresent()) {
      throw new EtaskException(
          Code.BASELINE_FAILED,
          unusable.get().message(),
          Hints.thenRunAgain(
              unusable.get().nextStep(), c.ws().logs().resolve("baseline-gates.log")));
    }
    warnAbout(c, baseline);
    c.store().writeReport("baseline", baseline);
    if (key != null) {
      cache.sweep();
      cache.put(key, baseline, c.store().coverageData("baseline"), c.ws().repo());
    }
    useBaseline(c, baseline);
    c.out().info("baseline in " + RunContext.secs(t0) + ": " + line(baseline));
    warnFailing(c, baseline);
  }

  /** What the baseline lacks: tests, gates that could not run, a module it could not import. */
  private static void warnAbout(RunContext c, GateReport baseline) {
    RunState state = c.state();
    Project project = c.project();
    if (!project.hasTests()) {
      c.out()
          .warn(
              "the repository has no tests yet: the baseline is no tests"
                  + (baseline.coverage() == null
                      ? ""
                      : " and " + GateTable.pct(baseline.coveragePercent()) + " coverage"));
    }
    baseline.problems().forEach(p -> c.out().warn("baseline: " + p));
    BaselineCheck.missingModule(baseline)
        .ifPresent(
            m ->
                c.out()
                    .warn(
                        "on "
                            + state.git().base()
                            + ": "
                            + BaselineCheck.whatImports(m, project)
                            + " Next: "
                            + BaselineCheck.howToProvide(m, project)));
  }

  static void useBaseline(RunContext c, GateReport baseline) {
    RunState state = c.state();
    c.store().promote("baseline");
    state.git().verified("baseline", state.git().baseSha());
  }

  static void warnFailing(RunContext c, GateReport baseline) {
    RunState state = c.state();
    if (!baseline.tests().failing().isEmpty()) {
      c.out()
          .warn(
              baseline.tests().failing().size()
                  + " test(s) already fail on "
                  + state.git().base()
                  + "; they do not block batches and are reported");
      BaselineCheck.submoduleHint(baseline, state.env().submodulesMissing())
          .ifPresent(h -> c.out().warn(h));
    }
  }

  static String line(GateReport r) {
    return "tests "
        + GateTable.tests(r)
        + " · coverage "
        + GateTable.pct(r.coveragePercent())
        + " · lint "
        + (r.lint() == null ? "n/a" : r.lint().size())
        + " · type errors "
        + (r.types() == null ? "n/a" : r.types().size());
  }
}
