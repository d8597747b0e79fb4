package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.GitTransport;
import dev.etask.core.git.Ownership;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.RunState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Whose commits are on the origin (docs/ARCHITECTURE.md §6): ownership by SHA; a halt when the task
 * branch holds someone else's commits or was moved by someone else (etask then pushes nothing); and
 * the fetch that tells when a branch of the origin was pushed from inside the clone (a generator),
 * which stops the task for good.
 */
final class BranchGuard {
  private final RunContext c;

  BranchGuard(RunContext c) {
    this.c = c;
  }

  Ownership ownership() {
    return new Ownership(c.spec().id(), c.state().git().ownCommits(), c.ident());
  }

  /**
   * The origin's task branch holds commits etask did not make: etask pushes nothing from now on (it
   * would overwrite them), labels the PR and lists them, until a person resolves it.
   */
  void halt(List<RevCommit> foreign) {
    String branch = c.spec().branch();
    halt(
        foreign,
        "the origin's "
            + branch
            + " holds "
            + foreign.size()
            + " commit(s) etask did not make; "
            + "etask pushes nothing over them");
  }

  /** {@link #halt(List)}, with why. */
  private void halt(List<RevCommit> foreign, String why) {
    RunState state = c.state();
    String branch = c.spec().branch();
    state.git().halt(why, foreign.stream().map(Ownership::describe).toList());
    c.out().warn(state.git().halted() + ":");
    state.git().foreignCommits().forEach(x -> c.out().warn("  " + x));
    c.out()
        .warn(
            "etask builds on nobody's commits in this version: to go on, delete "
                + branch
                + " on the origin"
                + " (the next run makes it again from etask's own work), or finish the PR by hand");
  }

  /**
   * After a fetch: when the origin's branch moved past what etask last pushed to commits it did not
   * make, or somewhere else than where etask left it, halt; when it holds only etask's commits, or
   * is gone, carry on. Returns whether etask may push.
   */
  boolean check(GitRepo git) throws GitException {
    RunState state = c.state();
    String branch = c.spec().branch();
    ObjectId remote = git.remoteTracking(branch);
    if (remote != null && !remote.name().equals(state.git().lastPushedSha())) {
      ObjectId head = git.resolve(Constants.R_HEADS + branch);
      Ownership ownership = ownership();
      List<RevCommit> foreign =
          git.commitsSince(head, remote).stream().filter(x -> !ownership.isOurs(x)).toList();
      if (!foreign.isEmpty()) {
        halt(foreign);
        return false;
      }
      // only etask's commits, but is it where etask left it? (a crash after a push leaves it
      // further on)
      ObjectId pushed =
          state.git().lastPushedSha() == null
              ? null
              : ObjectId.fromString(state.git().lastPushedSha());
      if (pushed != null && !git.isAncestor(pushed, remote)) {
        halt(
            List.of(git.parse(remote)),
            "the origin's "
                + branch
                + " was moved to "
                + RunContext.shortSha(remote)
                + " by someone else"
                + " (it no longer holds "
                + RunContext.shortSha(pushed)
                + ", which etask pushed); etask pushes nothing"
                + " over that");
        return false;
      }
    }
    if (state.git().halted() != null) {
      c.out()
          .info(
              "the origin's "
                  + branch
                  + " no longer holds commits etask did not make; carrying on");
    }
    state.git().resume();
    return true;
  }

  /**
   * Fetches; stops the task when a branch of the origin moved to a commit made inside the clone but
   * not by etask: only a process running in the clone (the generator) could have pushed it.
   */
  void fetch(GitRepo git) throws GitException {
    RunState state = c.state();
    Set<String> ours = new HashSet<>(state.git().ownCommits());
    if (state.git().lastPushedSha() != null) {
      ours.add(state.git().lastPushedSha());
    }
    GitTransport.Fetched fetched =
        c.transport(git).fetch(state.git().originTips(), id -> ours.contains(id.name()));
    state.git().fetched(fetched.tips());
    if (!fetched.pushedFromHere().isEmpty()) {
      state
          .git()
          .tampered(
              "the origin's "
                  + String.join(", ", fetched.pushedFromHere())
                  + " was pushed from the task's"
                  + " clone, but not by etask: a generator pushed it (the clone has no remote; it used the origin's address)."
                  + " etask stopped the task");
      throw generatorPushed();
    }
  }

  EtaskException generatorPushed() {
    return new EtaskException(
        Code.GENERATOR_PUSHED, c.state().git().tampered(), c.hints().generatorPushed());
  }

  /**
   * True (and says so) when the task pushes nothing until a person resolves the branch (see {@link
   * #halt}).
   */
  static boolean halted(RunContext c) {
    if (c.state().git().halted() != null) {
      c.out()
          .info(
              "halted: "
                  + c.state().git().halted()
                  + "; nothing more happens until a person resolves it");
      return true;
    }
    return false;
  }
}
