package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Trees;
import dev.etask.core.report.GateTable;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * COMMIT applies the decision VALIDATE recorded. A rejected batch (rollback, skip, abort) is
 * restored here: the tree goes back to the branch's tip exactly, and the batch is either retried
 * with the failure as feedback or left out. An accepted or kept batch is committed, with its
 * trailers ({@code Etask-Task}, {@code Etask-Batch}, {@code Etask-Targets}), recorded by SHA, and
 * pushed.
 */
final class CommitPhase implements Phase {
  static final String BATCH_TRAILER = "Etask-Batch";

  @Override
  public String name() {
    return "commit";
  }

  @Override
  public void execute(RunContext c) {
    apply(c, false);
  }

  @Override
  public void simulate(RunContext c) {
    apply(c, true);
  }

  private void apply(RunContext c, boolean simulate) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    BatchState batch =
        c.batchAt(
            BatchState.Stage.VALIDATED,
            "no validated batch to commit; run "
                + c.hints().command("generate")
                + " and "
                + c.hints().command("validate")
                + " first",
            "is not validated yet; run " + c.hints().command("validate") + " first");
    if (batch == null) {
      return;
    }
    Verdict verdict = batch.verdict();
    c.out()
        .phase(
            "COMMIT", "batch " + c.label(batch) + ": " + verdict.name().toLowerCase(Locale.ROOT));
    if (c.interrupted()) {
      return; // the state is frozen: what is done now would not be recorded. The next run commits
      // the batch.
    }
    try (GitRepo git = c.openClone()) {
      if (!verdict.commits()) {
        restore(c, git, batch);
        return;
      }
      ObjectId sha = commit(c, git, batch);
      state.git().own(sha.name());
      batch.committed(sha.name());
      c.store().promote(batch.name());
      if (!"incremental".equals(batch.validation())) {
        // the whole suite ran on this tree: the tip is verified
        state.git().verified(batch.name(), sha.name());
      }
      c.out().info("committed " + RunContext.shortSha(sha) + " " + subject(c, batch));
      c.store().save();
      if (sha.name().equals(state.git().fullCheckedSha())) {
        new Pusher(c).push(git, simulate);
      } else {
        c.out().info("pushed once the whole suite passes on the tip (validated incrementally)");
      }
    } catch (GitException e) {
      throw c.gitFailure(Code.PUSH_FAILED, e, Hints.commitKept(spec.branch(), c.ws().repo()));
    }
  }

  /**
   * The batch's commit, made from the tree the gates measured as etask recorded it (never git's
   * index), or the one an interrupted run made.
   */
  private static ObjectId commit(RunContext c, GitRepo git, BatchState batch) throws GitException {
    ObjectId sha = committedEarlier(c, git, batch);
    if (sha == null) {
      Map<String, String> trailers = new LinkedHashMap<>();
      trailers.put(BATCH_TRAILER, String.valueOf(batch.index() + 1));
      trailers.put(PreparePhase.TARGETS_TRAILER, String.join(", ", batch.files()));
      ObjectId tree = batch.tree() == null ? git.headTree() : ObjectId.fromString(batch.tree());
      // the tree the gates measured, as etask recorded it: never git's index
      sha = Trees.commit(git, tree, message(c, batch), c.spec().id(), trailers, c.ident());
      c.staging().workingTree().writeIndex(git.repository(), tree);
    } else {
      c.out()
          .info(
              "batch "
                  + c.label(batch)
                  + " was committed by an interrupted run: "
                  + RunContext.shortSha(sha));
    }
    return sha;
  }

  /**
   * A rejected batch: the tree back to the tip exactly; another attempt with the failure as
   * feedback, or none.
   */
  private static void restore(RunContext c, GitRepo git, BatchState batch) throws GitException {
    TaskSpec spec = c.spec();
    c.staging().restore(git);
    if (batch.labels().contains(ProjectEnvironment.DEPENDENCIES_CHANGED)
        && ProjectEnvironment.follow(c)) {
      c.out().info("the Python environment is the branch's again");
    }
    if (batch.verdict() != Verdict.ABORT
        && batch.attempts() < spec.strategy().maxAttemptsPerBatch()) {
      batch.retry(
          c.redact(
              batch.reason()
                  + (batch.failureExcerpt() == null ? "" : "\n\n" + batch.failureExcerpt())
                  + (batch.newFindings().isEmpty()
                      ? ""
                      : "\n\n" + String.join("\n", batch.newFindings()))));
      c.out()
          .info(
              "batch "
                  + c.label(batch)
                  + " rejected ("
                  + batch.reason()
                  + "); attempt "
                  + (batch.attempts() + 1)
                  + " of "
                  + spec.strategy().maxAttemptsPerBatch()
                  + " gets the failure as feedback");
      return;
    }
    batch.leaveOut();
    if (batch.verdict() == Verdict.ABORT) {
      c.state().abort("batch " + c.label(batch) + ": " + batch.reason());
    }
    c.out().info("batch " + c.label(batch) + " left out of the branch: " + batch.reason());
  }

  /**
   * The HEAD commit when an earlier, interrupted run already committed this batch (and the index is
   * clean).
   */
  private static ObjectId committedEarlier(RunContext c, GitRepo git, BatchState batch)
      throws GitException {
    RevCommit head = git.headCommit();
    if (head != null
        && GitRepo.isTaskCommit(head, c.spec().id())
        && head.getCommitterIdent().getName().equals(c.ident().getName())
        && head.getFooterLines(BATCH_TRAILER).contains(String.valueOf(batch.index() + 1))
        && (batch.tree() == null || head.getTree().name().equals(batch.tree()))) {
      return head.getId();
    }
    return null;
  }

  static String subject(RunContext c, BatchState b) {
    TaskSpec spec = c.spec();
    String prefix = spec.pr().titlePrefix() == null ? "" : spec.pr().titlePrefix().strip() + " ";
    // a dependency batch says which upgrade it is: "upgrade requests from 2.31.0 to 2.32.3"
    String objective = (b.upgrade() != null ? b.objective() : spec.objective()).strip();
    if (!objective.isEmpty()) {
      objective = Character.toLowerCase(objective.charAt(0)) + objective.substring(1);
    }
    String files = b.files().size() == 1 ? b.files().get(0) : b.files().size() + " files";
    String subject = prefix + objective + " (" + files + ")";
    return subject.length() <= 100 ? subject : subject.substring(0, 99) + "…";
  }

  private static String message(RunContext c, BatchState b) {
    StringBuilder m = new StringBuilder(subject(c, b)).append("\n\n");
    m.append("Batch ")
        .append(c.label(b))
        .append(": ")
        .append(String.join(", ", b.files()))
        .append('\n');
    Map<String, Double> x = b.metrics();
    if (x.containsKey("coverage_before") && x.containsKey("coverage_after")) {
      m.append("Coverage ")
          .append(GateTable.pct(x.get("coverage_before")))
          .append(" -> ")
          .append(GateTable.pct(x.get("coverage_after")))
          .append("; tests passed: ")
          .append(GateTable.fmt(x.get("tests_passed")))
          .append('\n');
    }
    if (!b.labels().isEmpty()) {
      m.append("Labels: ").append(String.join(", ", b.labels())).append('\n');
    }
    return c.redact(m.toString());
  }
}
