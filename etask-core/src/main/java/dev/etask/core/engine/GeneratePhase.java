package dev.etask.core.engine;

import dev.etask.core.generate.Generator;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.PythonEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * GENERATE: runs the generator on the next pending batch, in the clone, with its own environment,
 * scratch folder and time limit, its pid recorded so that a later run can stop it if this one is
 * killed. The {@link ChangeGuard} checks what it changed; a failed attempt is retried or the task
 * aborts after {@code max_generator_failures}; the batch's changes are staged for VALIDATE.
 */
final class GeneratePhase implements Phase {
  private boolean generated;

  @Override
  public String name() {
    return "generate";
  }

  /** Whether the last execution generated a batch (false: none left, a limit, or a halt). */
  boolean generated() {
    return generated;
  }

  @Override
  public void execute(RunContext c) {
    generated = false;
    RunState state = c.state();
    if (BranchGuard.halted(c)) {
      return;
    }
    AnalyzePhase.requireAnalyzed(c);
    BatchState inFlight = state.inFlight();
    if (inFlight != null) {
      c.out()
          .info(
              "batch "
                  + c.label(inFlight)
                  + " is already generated; run "
                  + c.hints().command("validate")
                  + " and "
                  + c.hints().command("commit")
                  + " next");
      return;
    }
    BatchState batch = state.nextPending();
    if (batch == null) {
      c.out().info("every batch is done");
      return;
    }
    if (c.budget().commitsExhausted(state)) {
      state.limit(c.budget().commitsReached());
      c.out().warn("not generating batch " + c.label(batch) + ": " + state.limitHit());
      return;
    }
    generate(c, batch);
    generated = true;
  }

  /**
   * The generator's pid file: a run killed while it works leaves it, and the next run stops that
   * process.
   */
  static Path childFile(RunContext c) {
    return c.ws().root().resolve("generator.pid");
  }

  private static void generate(RunContext c, BatchState batch) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    ChangeGuard guard = c.changeGuard();
    c.out().phase("GENERATE", "batch " + c.label(batch) + ": " + String.join(", ", batch.files()));
    long t0 = System.nanoTime();
    try (GitRepo git = c.openClone()) {
      guard.releaseStaleLocks(git, "an earlier step");
      c.staging().restore(git);
      batch.startAttempt();
      c.ws().freshScratch();
      c.ws().freshHome();
      Path log = c.ws().logs().resolve(batch.name() + "-generate.log");
      Map<String, String> env =
          c.python()
              .forGenerator(
                  c.environments().forGenerator(spec.generator().env()), c.ws().scratch());
      gitCopies(c, git, env);
      // every process the generator starts inherits this: the ones that escape its process group
      // are found by it
      String id = UUID.randomUUID().toString();
      env.put("ETASK_RUN_ID", id);
      Generator generator = c.tools().generator(c, env);
      Duration timeout = c.budget().atMost(spec.generator().timeout(), Duration.ZERO);
      ChangeGuard.Snapshot before = guard.before(git);
      Generator.Outcome result = run(c, generator, batch, log, timeout);
      if (result.usage() != null) {
        batch.used(
            result.usage().promptTokens(),
            result.usage().completionTokens(),
            result.usage().cost());
      }
      batch.addDuration(Duration.ofNanos(System.nanoTime() - t0).toMillis());
      guard.cleanUpAfter(git, "ETASK_RUN_ID=" + id, batch);
      String tampering = guard.repair(git, before, guard.find(git, before));
      if (tampering != null) {
        rollback(c, batch, tampering);
        return;
      }
      if (!usable(c, git, batch, result, timeout, log)) {
        return;
      }
      state.generatorSucceeded();
      GeneratedFiles.record(c, git, batch, t0);
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot prepare the generator's folders in " + c.ws().root() + ": " + e.getMessage(),
          Hints.workDir(),
          e);
    }
  }

  /**
   * git in the generator works on a copy of the index in its scratch folder (its read commands:
   * status, diff); in the sandbox also its writes (an agent's 'git add') go to objects of its own,
   * as .git is read-only there.
   */
  private static void gitCopies(RunContext c, GitRepo git, Map<String, String> env)
      throws IOException {
    Path index = c.ws().scratch().resolve("git-index");
    Files.copy(git.repository().getIndexFile().toPath(), index);
    env.put("GIT_INDEX_FILE", index.toString());
    if (!c.sandboxing().on()) {
      return; // .git is writable: what the generator commits is in the clone's objects, where a
      // push of it to the origin is recognised as made here (OriginTips.pushedFromHere)
    }
    // the sandbox mounts .git read-only: its writes go to objects of its own, thrown away with the
    // scratch folder (and it cannot reach the origin to push them)
    Path objects = Files.createDirectories(c.ws().scratch().resolve("git-objects"));
    env.put("GIT_OBJECT_DIRECTORY", objects.toString());
    env.put(
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        git.repository().getDirectory().toPath().resolve("objects").toString());
  }

  /**
   * Whether the attempt's result goes on to be read: not when the run was interrupted or the time
   * budget ran out (the batch is left for the next run, its attempt uncounted), nor when the
   * generator failed (recorded); the tree is restored then.
   */
  private static boolean usable(
      RunContext c,
      GitRepo git,
      BatchState batch,
      Generator.Outcome result,
      Duration timeout,
      Path log)
      throws GitException {
    RunState state = c.state();
    if (c.interrupted()) {
      batch.uncountAttempt(); // an interrupted attempt does not count; the next run redoes the
      // batch
      c.staging().restore(git);
      return false;
    }
    if (!result.ok() && result.timedOut() && c.budget().remaining().isZero()) {
      batch.uncountAttempt();
      c.staging().restore(git);
      state.limit(c.budget().runtimeReached());
      c.out()
          .warn(
              "the time budget ran out during batch "
                  + c.label(batch)
                  + ": its generator was stopped, the"
                  + " tree restored, and the batch left for the next run");
      return false;
    }
    if (!result.ok()) {
      failed(c, batch, result, timeout, log);
      c.staging().restore(git);
      return false;
    }
    return true;
  }

  /**
   * Runs one attempt, its pid recorded while it runs (the start instant tells it apart from a
   * reused pid).
   */
  private static Generator.Outcome run(
      RunContext c, Generator generator, BatchState batch, Path log, Duration timeout) {
    Path child = childFile(c);
    c.runner()
        .onStart(
            p -> {
              try {
                AtomicFiles.write(
                    child,
                    p.pid()
                        + " "
                        + p.info().startInstant().orElse(Instant.now()).toEpochMilli()
                        + "\n"
                        + batch.files().get(0)
                        + "\n");
              } catch (IOException e) {
                c.out().warn("cannot record the generator's pid: " + e.getMessage());
              }
            });
    try {
      return generator.generate(
          new Generator.Request(
              c.spec().id(),
              c.redact(batch.objective() == null ? c.spec().objective() : batch.objective()),
              batch.files(),
              String.join(
                  ", ", c.spec().target().writable().stream().map(String::valueOf).toList()),
              batch.attempts(),
              c.redact(batch.feedback()),
              c.ws().repo(),
              c.ws().promptFile(),
              log,
              timeout));
    } finally {
      c.runner().onStart(null);
      try {
        Files.deleteIfExists(child);
      } catch (IOException e) {
        c.out().warn("cannot remove " + child + ": " + e.getMessage());
      }
    }
  }

  /**
   * The generator crashed or timed out: retry with the failure as feedback, give up on the batch,
   * or abort.
   */
  private static void failed(
      RunContext c, BatchState batch, Generator.Outcome result, Duration timeout, Path log) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    boolean giveUp = state.generatorFailed() >= spec.strategy().maxGeneratorFailures();
    String why =
        "generator "
            + (result.timedOut()
                ? "timed out after " + timeout.toSeconds() + "s"
                : "failed (exit " + result.exitCode() + ")")
            + ": "
            + PythonEnvironment.lastLines(result.output(), 3)
            + " (log: "
            + log
            + ")"
            + Sandboxing.hiddenFile(c, result.output());
    c.out().warn(why);
    if (!giveUp && batch.attempts() < spec.strategy().maxAttemptsPerBatch()) {
      batch.failedAttempt(c.redact(why));
      return;
    }
    batch.close(new RuleBook(spec).generatorFailed(why, giveUp));
    if (giveUp) {
      state.abort("the generator failed " + state.generatorFailuresInARow() + " time(s) in a row");
      c.out().warn("aborting: " + state.aborted());
    }
  }

  static void rollback(RunContext c, BatchState batch, String why) {
    batch.close(Decision.of(Verdict.ROLLBACK, why));
    c.out().warn("batch " + c.label(batch) + " rolled back: " + batch.reason());
  }
}
