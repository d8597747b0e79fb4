package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.state.RunState;
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
    if (!followBase(git, simulate)) {
      return;
    }
    if (!git.head().name().equals(state.git().fullCheckedSha())) {
      if (simulate) {
        c.out().info("dry run: the whole suite would run on the tip before the push");
      } else if (!new Delivery(c).verify(git)) {
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
   * While the base moves ({@code git.rebase_attempts} times at most): the task's commits made again
   * on it ({@link Rebase}), then, with {@code git.revalidate_after_rebase}, the moved base measured
   * and the tip validated against it ({@link Delivery#verifyRebased}), and the origin fetched again
   * to see whether it moved while that ran. False when nothing may be pushed.
   */
  private boolean followBase(GitRepo git, boolean simulate) throws GitException {
    RunState state = c.state();
    for (int attempt = 1; ; attempt++) {
      ObjectId base = git.remoteTracking(state.git().base());
      if (base == null || base.name().equals(state.git().baseSha())) {
        return true;
      }
      if (!Rebase.onto(c, git, base) || simulate) {
        return true;
      }
      if (!c.spec().git().revalidateAfterRebase()) {
        state.label("needs-manual-review");
        c.out()
            .warn(
                "git.revalidate_after_rebase is false: the rebased tip is pushed without the whole"
                    + " suite on it (needs-manual-review)");
        state.git().verified(state.git().fullReport(), git.head().name());
        return true;
      }
      if (!new Delivery(c).verifyRebased(git, base)) {
        state.label(NOT_DELIVERED);
        c.out()
            .warn(
                "nothing pushed: the rebased tip cannot be verified against the moved base; the"
                    + " commits stay in the clone");
        return false;
      }
      if (attempt >= c.spec().git().rebaseAttempts()) {
        return true; // verified on the base fetched last; pushed as it is
      }
      guard.fetch(git);
      if (!guard.check(git)) {
        c.out().warn("nothing pushed: " + state.git().halted());
        return false;
      }
    }
  }
}
