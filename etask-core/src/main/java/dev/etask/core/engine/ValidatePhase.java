package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Trees;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.BatchState;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * VALIDATE: the gates on the generated batch against the state before it, the checks of its new
 * tests (weak, never collected, flaky), and the rule book's decision, printed as the gate table and
 * recorded on the batch. COMMIT applies it.
 */
final class ValidatePhase implements Phase {
  @Override
  public String name() {
    return "validate";
  }

  @Override
  public void execute(RunContext c) {
    BatchState batch =
        c.batchAt(
            BatchState.Stage.GENERATED,
            "no generated batch to validate; run " + c.hints().command("generate") + " first",
            "is already validated; run " + c.hints().command("commit") + " next");
    if (batch == null) {
      return;
    }
    c.out().phase("VALIDATE", "batch " + c.label(batch));
    long t0 = System.nanoTime();
    GateReport before = stateBefore(c, batch);
    if (before == null) {
      return;
    }
    String name = batch.name();
    BatchShape shape = shapeOf(c, batch);
    if (shape == null) {
      return;
    }
    String whyFull = BatchShape.whyFull(c, before, shape);
    Settled settled = settle(c, batch, before, shape, whyFull);
    if (settled == null) {
      return;
    }
    before = settled.before();
    shape = settled.shape();
    Boolean dependencies = dependencies(c, batch, shape);
    if (dependencies == null) {
      return;
    }
    boolean whole = false;
    while (true) {
      c.staging().expect(shape.tree()); // every gate run of the batch measures exactly its tree
      boolean again;
      try {
        again =
            BatchVerdict.measureAndDecide(c, batch, name, t0, before, shape, dependencies, whole);
      } finally {
        c.staging().expect(null);
      }
      if (!again) {
        return;
      }
      // rejected on its new tests alone: judged by the whole suite on a verified state
      settled = settle(c, batch, before, shape, "its new tests alone rejected it");
      if (settled == null) {
        return;
      }
      before = settled.before();
      shape = settled.shape();
      whole = true;
    }
  }

  /** The report of the state before the batch; null when it was tampered with (see below). */
  private static GateReport stateBefore(RunContext c, BatchState batch) {
    try {
      return c.store().readReport("current");
    } catch (EtaskException e) {
      if (e.code() != Code.REPORT_TAMPERED) {
        throw e;
      }
      rejectAfterTampering(c, batch, e.getMessage());
      return null;
    }
  }

  /** The batch's changes; null when it was refused for writing a secret etask knows of. */
  private static BatchShape shapeOf(RunContext c, BatchState batch) {
    try (GitRepo git = c.openClone()) {
      ObjectId tree = batch.tree() == null ? git.headTree() : ObjectId.fromString(batch.tree());
      List<String> leaking = Trees.filesWhere(git, git.headTree(), tree, c.redactor()::appearsIn);
      if (!leaking.isEmpty()) {
        refuse(
            c,
            batch,
            "the batch writes a secret etask knows of (a token or password of yours) into "
                + String.join(", ", leaking)
                + "; it is never committed");
        return null;
      }
      return BatchShape.of(c, git, tree);
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
  }

  /**
   * Whether the batch is measured in an environment made for the dependencies it declares (the
   * state before stays the one measured before it); null when they do not install and it was
   * refused.
   */
  private static Boolean dependencies(RunContext c, BatchState batch, BatchShape shape) {
    if (shape.changes().stream()
        .noneMatch(x -> ProjectEnvironment.mayDeclareDependencies(x.path()))) {
      return false;
    }
    try {
      return ProjectEnvironment.follow(c);
    } catch (EtaskException e) {
      if (e.code() != Code.ENV_FAILED) {
        throw e;
      }
      refuse(
          c,
          batch,
          new Decision(
              Verdict.ROLLBACK,
              "the dependencies it declares do not install: " + e.getMessage(),
              List.of("dependencies"),
              List.of(ProjectEnvironment.DEPENDENCIES_CHANGED)));
      ProjectEnvironment.follow(c); // the branch's environment again
      return null;
    }
  }

  private record Settled(GateReport before, BatchShape shape) {}

  /**
   * Before the whole suite measures the batch ({@code needed}): the batches validated incrementally
   * before it verified first, what fails taken off ({@link Delivery#settle}), its tree made again
   * on what is left, and the state before it read again. {@code why}: why the whole suite measures
   * it (null: it does not). Null when the batch was refused (its changes no longer apply).
   */
  private static Settled settle(
      RunContext c, BatchState batch, GateReport before, BatchShape shape, String why) {
    if (why == null || batch.tree() == null) {
      return new Settled(before, shape);
    }
    try (GitRepo git = c.openClone()) {
      ObjectId settled = new Delivery(c).settle(git, batch, shape.tree(), why);
      if (settled == null) {
        refuse(
            c,
            batch,
            "its changes no longer apply: a batch before it, which they build on, was taken off"
                + " (the whole suite fails with it)");
        return null;
      }
      if (!settled.equals(shape.tree())) {
        batch.generated(batch.changedFiles(), settled.name());
      }
      return new Settled(c.store().readReport("current"), BatchShape.of(c, git, settled));
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
  }

  /** Rejects the batch before any gate runs: the tree back to the tip, no retry. */
  static void refuse(RunContext c, BatchState batch, String why) {
    refuse(c, batch, Decision.of(Verdict.ROLLBACK, why));
  }

  private static void refuse(RunContext c, BatchState batch, Decision d) {
    try (GitRepo git = c.openClone()) {
      c.staging().restore(git);
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
    batch.close(d);
    batch.leaveOut();
    c.out().warn("batch " + c.label(batch) + " rolled back: " + d.reason());
  }

  /**
   * The report of the state before the batch was changed after etask wrote it: nothing measured
   * against it can be trusted. The batch is rolled back and the branch's tip measured again.
   */
  private static void rejectAfterTampering(RunContext c, BatchState batch, String why) {
    refuse(c, batch, why);
    GateReport tip =
        c.gates().measure("current", c.state().env().sourceDirs(), RunContext.GATE_TIMEOUT);
    c.store().writeReport("current", tip);
    c.out().info("measured " + c.spec().branch() + " again: " + PreparePhase.line(tip));
  }
}
