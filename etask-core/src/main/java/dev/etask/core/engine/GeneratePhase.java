package dev.etask.core.engine;

import dev.etask.core.generate.Generator;
import dev.etask.core.git.Change;
import dev.etask.core.git.ExactTree;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.TreeDifferences;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jgit.lib.ObjectId;

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
      state.limitHit = c.budget().commitsReached();
      c.out().warn("not generating batch " + c.label(batch) + ": " + state.limitHit);
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
      // git's read commands (status, diff) work on a copy of the index: .git is the clone's
      Path index = c.ws().scratch().resolve("git-index");
      Files.copy(git.repository().getIndexFile().toPath(), index);
      env.put("GIT_INDEX_FILE", index.toString());
      // every process the generator starts inherits this: the ones that escape its process group
      // are found by it
      String id = UUID.randomUUID().toString();
      env.put("ETASK_RUN_ID", id);
      Generator generator = c.tools().generator(c, env);
      Duration timeout = c.budget().atMost(spec.generator().timeout(), Duration.ZERO);
      ChangeGuard.Snapshot before = guard.before(git);
      Generator.Outcome result = run(c, generator, batch, log, timeout);
      batch.addDuration(Duration.ofNanos(System.nanoTime() - t0).toMillis());
      guard.cleanUpAfter(git, "ETASK_RUN_ID=" + id, batch);
      String tampering = guard.repair(git, before, guard.find(git, before));
      if (tampering != null) {
        rollback(c, batch, tampering);
        return;
      }
      if (c.interrupted()) {
        batch.uncountAttempt(); // an interrupted attempt does not count; the next run redoes the
        // batch
        c.staging().restore(git);
        return;
      }
      if (!result.ok() && result.timedOut() && c.budget().remaining().isZero()) {
        batch.uncountAttempt();
        c.staging().restore(git);
        state.limitHit = c.budget().runtimeReached();
        c.out()
            .warn(
                "the time budget ran out during batch "
                    + c.label(batch)
                    + ": its generator was stopped, the"
                    + " tree restored, and the batch left for the next run");
        return;
      }
      if (!result.ok()) {
        failed(c, batch, result, timeout, log);
        c.staging().restore(git);
        return;
      }
      state.generatorFailuresInARow = 0;
      // what the generator made, read from its files (never from git's index)
      ObjectId head = git.headTree();
      ExactTree files = c.staging().workingTree();
      TreeDifferences made;
      try {
        made = files.check(git.repository(), head);
      } catch (GitException e) { // a file it made unreadable: its batch, not the task, fails
        c.staging().restore(git);
        rollback(c, batch, "the generator left files etask cannot read: " + e.getMessage());
        return;
      }
      List<Change> changes = made.changes();
      String refused = refused(c, made, changes);
      List<String> violations = Allowlist.violations(c, batch, changes);
      if (refused == null && !violations.isEmpty()) {
        refused =
            "changed files outside the allowlist (the batch's files and target.writable): "
                + String.join(", ", violations);
      }
      if (refused != null) {
        c.staging().restore(git);
        if (!made.ownedChanged().isEmpty()) {
          ProjectEnvironment.reinstall(c); // what the install wrote comes back only from it
        }
        rollback(c, batch, refused);
        return;
      }
      if (!made.ignored().isEmpty()) {
        c.out()
            .info(
                "removed the files git ignores that the generator left: "
                    + String.join(", ", made.ignored()));
      }
      if (changes.isEmpty()) {
        c.staging().restore(git);
        batch.close(Decision.of(Verdict.SKIP, "the generator changed nothing"));
        c.out().info("batch " + c.label(batch) + ": the generator changed nothing");
        return;
      }
      ObjectId tree;
      try {
        tree = files.record(git.repository(), head, changes);
      } catch (GitException e) {
        c.staging().restore(git);
        rollback(c, batch, "the generator's files cannot be recorded: " + e.getMessage());
        return;
      }
      files.reset(git.repository(), tree); // the ignored files it left go
      files.writeIndex(git.repository(), tree);
      batch.generated(
          changes.stream()
              .map(x -> x.path() + " (" + x.kind().name().toLowerCase(Locale.ROOT) + ")")
              .toList(),
          tree.name());
      c.out()
          .info(
              "generator finished in "
                  + RunContext.secs(t0)
                  + "; changed "
                  + String.join(", ", batch.changedFiles()));
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot prepare the generator's folders in " + c.ws().root() + ": " + e.getMessage(),
          c.hints().workDir(),
          e);
    }
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
              c.redact(c.spec().objective()),
              batch.files(),
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
    state.generatorFailuresInARow++;
    boolean giveUp = state.generatorFailuresInARow >= spec.strategy().maxGeneratorFailures();
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
      state.aborted = "the generator failed " + state.generatorFailuresInARow + " time(s) in a row";
      c.out().warn("aborting: " + state.aborted);
    }
  }

  /**
   * Why the batch is refused for what its generator left beside its changes, or null: a file git
   * ignores that changes what Python imports (a {@code .pyc}, {@code .pth} or {@code .so}, a module
   * in an ignored folder: it could shadow the code the gates should see), a file the project's
   * install wrote that it changed, a new or changed file that is a hard link (its content is
   * another file's).
   */
  private static String refused(RunContext c, TreeDifferences made, List<Change> changes)
      throws IOException {
    List<String> why = new ArrayList<>();
    List<String> nested = made(changes, p -> ("/" + p + "/").contains("/.git/"));
    if (!nested.isEmpty()) {
      why.add("made a git folder inside the clone (" + String.join(", ", nested) + ")");
    }
    Path repo = c.ws().repo();
    List<String> special =
        made(
            changes,
            p ->
                !Files.isRegularFile(repo.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(repo.resolve(p)));
    if (!special.isEmpty()) {
      why.add("made special files (a pipe, socket or device: " + String.join(", ", special) + ")");
    }
    List<String> compiled = made(changes, p -> p.matches(".*\\.(pyc|pyo|pyd|so|pth)"));
    if (!compiled.isEmpty()) {
      why.add(
          "adds compiled modules or .pth files ("
              + String.join(", ", compiled)
              + "): a batch changes source, never what Python imports without reading it");
    }
    List<String> imported = Staging.importing(made.ignored());
    if (!imported.isEmpty()) {
      why.add(
          "left files git ignores that change what Python imports ("
              + String.join(", ", imported)
              + "); the gates could have run other code than the batch's");
    }
    if (!made.submodulesEdited().isEmpty()) {
      why.add(
          "changed files inside the submodule(s) "
              + String.join(", ", made.submodulesEdited())
              + " (a submodule's files are never a batch's)");
    }
    if (!made.ownedChanged().isEmpty()) {
      why.add(
          "changed what the project's install wrote ("
              + String.join(", ", made.ownedChanged())
              + ")");
    }
    List<String> linked = new ArrayList<>();
    for (String p : made(changes, p -> Files.isRegularFile(repo.resolve(p)))) {
      if (ExactTree.links(repo.resolve(p)) > 1) {
        linked.add(p);
      }
    }
    if (!linked.isEmpty()) {
      why.add(
          "made hard links ("
              + String.join(", ", linked)
              + "): their content is another file's, maybe outside the clone");
    }
    return why.isEmpty() ? null : "the generator " + String.join("; ", why);
  }

  /** The paths of {@code changes} that are there (added or modified) and pass {@code test}. */
  private static List<String> made(
      List<Change> changes, java.util.function.Predicate<String> test) {
    return changes.stream()
        .filter(x -> x.kind() != Change.Kind.DELETED)
        .map(Change::path)
        .filter(test)
        .toList();
  }

  private static void rollback(RunContext c, BatchState batch, String why) {
    batch.close(Decision.of(Verdict.ROLLBACK, why));
    c.out().warn("batch " + c.label(batch) + " rolled back: " + batch.reason());
  }
}
