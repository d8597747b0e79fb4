package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.state.RunState;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Delivers the task branch (docs/ARCHITECTURE.md §6): fetch, check whose commits are on the
 * origin's branch, rebase on a moved base, then push — a fast-forward, or a replacement of etask's
 * own earlier commits under a lease. A simulated push (dry run) does everything up to the push and
 * says what it would push.
 */
final class Pusher {
  private final RunContext c;
  private final BranchGuard guard;

  Pusher(RunContext c) {
    this.c = c;
    this.guard = new BranchGuard(c);
  }

  /** The label of a task whose accepted commits could not be delivered (exit 2). */
  static final String NOT_DELIVERED = "not-delivered";

  void push(GitRepo git, boolean simulate) throws GitException {
    RunState state = c.state();
    String branch = c.spec().branch();
    guard.fetch(git);
    if (!guard.check(git)) {
      c.out().warn("nothing pushed: " + state.git().halted());
      return; // never over someone else's commits; the batch stays committed in the clone
    }
    boolean rebased = rebaseIfMoved(git);
    if (!git.head().name().equals(state.git().fullCheckedSha())) {
      if (simulate) {
        c.out().info("dry run: the whole suite would run on the tip before the push");
      } else if (!new Delivery(c).verify(git, rebased)) {
        state.label(NOT_DELIVERED);
        c.out()
            .warn(
                "nothing pushed: the whole suite does not pass on the tip; the commits stay in the"
                    + " clone and the next run checks them again");
        return;
      }
    }
    // only etask's commits are on the origin's branch (checked above): replace them, under a lease
    ObjectId remote = git.remoteTracking(branch);
    ObjectId head = git.head();
    boolean replace = remote != null && !git.isAncestor(remote, head);
    if (c.interrupted()) {
      c.out().info("interrupted: " + branch + " is pushed by the next run");
      return; // the state is frozen: a push now would not be recorded
    }
    if (simulate) {
      c.out()
          .info(
              "dry run: would push "
                  + branch
                  + " @ "
                  + RunContext.shortSha(head)
                  + (replace ? " (replacing " + RunContext.shortSha(remote) + ")" : ""));
      return;
    }
    c.transport(git).push(branch, replace ? remote : null);
    state.unlabel(NOT_DELIVERED);
    state.git().pushed(head.name(), org.eclipse.jgit.lib.Constants.R_HEADS + branch);
    c.out()
        .info(
            "pushed "
                + branch
                + " @ "
                + RunContext.shortSha(head)
                + (replace ? " (replacing etask's earlier commits after a rebase)" : ""));
  }

  /**
   * Rebases the branch when the base moved; true when it did. A conflict leaves it as it is, said
   * and labelled needs-manual-review.
   */
  private boolean rebaseIfMoved(GitRepo git) throws GitException {
    RunState state = c.state();
    String branch = c.spec().branch();
    ObjectId base = git.remoteTracking(state.git().base());
    boolean rebased = false;
    if (base != null && !base.name().equals(state.git().baseSha())) {
      List<String> conflicts = git.rebase(base);
      if (conflicts.isEmpty()) {
        c.out()
            .info(
                state.git().base()
                    + " moved to "
                    + RunContext.shortSha(base)
                    + "; rebased "
                    + branch
                    + " on it");
        state.git().rebased(base.name());
        rebased = true;
        for (org.eclipse.jgit.revwalk.RevCommit x : git.commitsSince(base, git.head())) {
          state.git().own(x.name());
          remap(x);
        }
      } else {
        state.git().conflicted(conflicts);
        state.label("needs-manual-review");
        c.out()
            .warn(
                state.git().base()
                    + " moved and the rebase conflicts in "
                    + conflicts
                    + "; pushing without it (needs-manual-review)");
      }
    }
    return rebased;
  }

  /**
   * A batch's commit after a rebase is its copy on the new base (found by its batch trailer; a
   * revert of a batch carries the trailer too and is not the batch).
   */
  private void remap(org.eclipse.jgit.revwalk.RevCommit x) {
    if (x.getShortMessage().startsWith("Revert batch")) {
      return;
    }
    for (String n : x.getFooterLines(CommitPhase.BATCH_TRAILER)) {
      try {
        int i = Integer.parseInt(n.trim()) - 1;
        List<dev.etask.core.state.BatchState> batches = c.state().batches();
        if (i >= 0 && i < batches.size() && batches.get(i).committed()) {
          batches.get(i).committed(x.name());
        }
      } catch (NumberFormatException e) {
        // not one of etask's batch numbers
      }
    }
  }
}
