package dev.etask.core.engine;

import dev.etask.core.git.ControlFiles;
import dev.etask.core.git.FreshClone;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.GitTransport;
import dev.etask.core.git.Origin;
import dev.etask.core.git.Ownership;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.RunState;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * PREPARE's clone: the origin cloned (its object files shared only when no test can write through a
 * link to them), the base branch found, and the task's branch made from it or adopted from the
 * origin (its commits etask's own; a commit etask did not make halts the task).
 */
final class Cloning {
  private Cloning() {}

  /**
   * Clones and makes the branch; returns the tip of an adopted remote branch, or null for a new
   * branch.
   */
  static ObjectId cloneAndBranch(RunContext c, Origin origin) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    ObjectId adopted = null;
    try {
      long t0 = System.nanoTime();
      // the origin's object files are shared only when no test can write through a link to them
      try (GitRepo git =
          GitTransport.cloneInto(origin, c.ws().repo(), c.retry(), c.sandboxing().on())) {
        GitTransport transport = c.transport(git);
        String base = baseBranch(c, git, transport, origin);
        ObjectId baseId = git.remoteTracking(base);
        if (baseId == null) {
          throw new EtaskException(
              Code.CLONE_FAILED,
              "the origin " + origin.url() + " has no branch '" + base + "'",
              Hints.baseExists());
        }
        state.git().cloned(base, baseId.name());
        c.out()
            .info(
                "cloned "
                    + origin.url()
                    + " ("
                    + base
                    + " @ "
                    + RunContext.shortSha(baseId)
                    + ") in "
                    + RunContext.secs(t0));
        ObjectId remoteBranch = git.remoteTracking(spec.branch());
        ControlFiles control = new ControlFiles(git);
        if (remoteBranch != null) {
          adopted = adopt(c, git, control, baseId, remoteBranch);
          if (adopted == null) {
            return null;
          }
        } else {
          FreshClone.branch(git, spec.branch(), baseId);
          c.out().info("branch " + spec.branch() + " created from " + base);
        }
        SubmoduleCheckout.run(c, git, baseId, origin.url());
        control.sanitize(RunContext.BY_PRODUCTS, c.ident());
      }
      return adopted;
    } catch (GitException e) {
      throw c.gitFailure(Code.CLONE_FAILED, e, Hints.originReachable());
    }
  }

  /** The base branch: the spec's, else the origin's default. */
  private static String baseBranch(RunContext c, GitRepo git, GitTransport transport, Origin origin)
      throws GitException {
    String base = c.spec().repository().base();
    if (base == null) {
      base = FreshClone.defaultBranch(git); // what the origin said as it was cloned
      if (base == null) {
        base = transport.remoteDefaultBranch();
      }
      if (base == null) {
        throw new EtaskException(
            Code.CLONE_FAILED,
            "cannot tell the default branch of " + origin.url(),
            Hints.setBase());
      }
    }
    return base;
  }

  /**
   * Adopts the task's branch found on the origin: its commits etask's own (checked out on the base,
   * measured there first), or, with a commit etask did not make, the task halted (null).
   */
  private static ObjectId adopt(
      RunContext c, GitRepo git, ControlFiles control, ObjectId baseId, ObjectId remoteBranch)
      throws GitException {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    List<RevCommit> commits = git.commitsSince(baseId, remoteBranch);
    BranchGuard guard = new BranchGuard(c);
    Ownership ownership = guard.ownership();
    List<RevCommit> foreign = commits.stream().filter(x -> !ownership.isOurs(x)).toList();
    if (!foreign.isEmpty()) {
      git.checkoutBranch(spec.branch(), remoteBranch);
      control.sanitize(RunContext.BY_PRODUCTS, c.ident());
      guard.halt(foreign);
      return null;
    }
    List<String> targets = new java.util.ArrayList<>();
    for (RevCommit x : commits) {
      for (String line : x.getFooterLines(PreparePhase.TARGETS_TRAILER)) {
        for (String f : line.split(",")) {
          targets.add(f.trim());
        }
      }
    }
    state
        .git()
        .adopted(remoteBranch.name(), commits.stream().map(RevCommit::name).toList(), targets);
    git.checkoutBranch(spec.branch(), baseId); // measured on the base first, then moved to the tip
    c.out()
        .info(
            "branch "
                + spec.branch()
                + " adopted from the origin ("
                + commits.size()
                + " etask commit(s))");
    return remoteBranch;
  }
}
