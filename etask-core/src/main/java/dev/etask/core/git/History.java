package dev.etask.core.git;

import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.CherryPickResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Taking one of etask's commits off the task branch again: dropped from a branch never pushed (the
 * commits after it picked anew), or reverted in a new commit when it is already on the origin; and
 * looking at an earlier commit's tree (for bisection). Hooks never run.
 */
public final class History {
  private final GitRepo repo;
  private final Git git;

  public History(GitRepo repo) {
    this.repo = repo;
    this.git = repo.git();
  }

  /** Puts {@code commit}'s tree into the working tree (HEAD detached there). */
  public void look(ObjectId commit) throws GitException {
    try {
      git.checkout().setName(commit.name()).setForced(true).call();
    } catch (GitAPIException e) {
      throw new GitException("cannot check out " + commit.name() + ": " + e.getMessage(), false, e);
    }
  }

  /** Back on {@code branch} at its tip. */
  public void back(String branch) throws GitException {
    try {
      git.checkout().setName(branch).setForced(true).call();
    } catch (GitAPIException e) {
      throw new GitException("cannot check out " + branch + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * Drops {@code commit} from the current branch: resets to its parent and picks {@code later} (the
   * commits after it, oldest first) again. Returns each picked commit's new id by its old one.
   */
  public Map<ObjectId, ObjectId> drop(ObjectId commit, List<ObjectId> later, PersonIdent ident)
      throws GitException {
    return rewrite(commit, null, later, ident);
  }

  /**
   * Drops {@code commit}'s changes to {@code paths} only: the commit made again with those files as
   * its parent has them, and {@code later} picked again on it. Returns each commit's new id by its
   * old one, {@code commit}'s included. Fails, the branch unchanged, when a later commit does not
   * apply without those changes.
   */
  public Map<ObjectId, ObjectId> dropPaths(
      ObjectId commit, Collection<String> paths, List<ObjectId> later, PersonIdent ident)
      throws GitException {
    return rewrite(commit, List.copyOf(paths), later, ident);
  }

  /** {@code paths} null: the commit dropped whole; else only its changes to them. */
  private Map<ObjectId, ObjectId> rewrite(
      ObjectId commit, List<String> paths, List<ObjectId> later, PersonIdent ident)
      throws GitException {
    Map<ObjectId, ObjectId> moved = new LinkedHashMap<>();
    ObjectId before;
    try {
      before = git.getRepository().resolve("HEAD");
    } catch (IOException e) {
      throw new GitException("cannot read HEAD: " + e.getMessage(), false, e);
    }
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      RevCommit c = walk.parseCommit(commit);
      RevCommit parent = c.getParent(0);
      if (paths == null) {
        git.reset().setMode(ResetType.HARD).setRef(parent.name()).call();
      } else {
        git.reset().setMode(ResetType.HARD).setRef(c.name()).call();
        asIn(walk.parseCommit(parent), paths);
        RevCommit made =
            git.commit()
                .setAmend(true)
                .setMessage(c.getFullMessage())
                .setAuthor(c.getAuthorIdent())
                .setCommitter(ident)
                .setNoVerify(true)
                .setSign(false)
                .call();
        moved.put(commit, made.getId());
      }
      pick(walk, later, ident, moved);
      return moved;
    } catch (GitAPIException | IOException | GitException e) {
      // all or nothing: the branch goes back to where it was, no batch is lost
      try {
        git.reset().setMode(ResetType.HARD).setRef(before.name()).call();
      } catch (GitAPIException undo) {
        e.addSuppressed(undo);
      }
      throw new GitException("cannot drop " + commit.name() + ": " + e.getMessage(), false, e);
    }
  }

  /** Picks {@code commits} (oldest first) onto HEAD, each its own commit; new ids by old. */
  private void pick(
      RevWalk walk, List<ObjectId> commits, PersonIdent ident, Map<ObjectId, ObjectId> moved)
      throws GitAPIException, IOException, GitException {
    for (ObjectId o : commits) {
      RevCommit original = walk.parseCommit(o);
      CherryPickResult r = git.cherryPick().include(original).setNoCommit(true).call();
      if (r.getStatus() != CherryPickResult.CherryPickStatus.OK) {
        throw new GitException("cannot pick " + o.name() + " again: " + r.getStatus(), false, null);
      }
      RevCommit made =
          git.commit()
              .setMessage(original.getFullMessage())
              .setAuthor(original.getAuthorIdent())
              .setCommitter(ident)
              .setNoVerify(true)
              .setSign(false)
              .call();
      moved.put(o, made.getId());
    }
  }

  /**
   * {@code commits} (oldest first) made again on {@code base}, on the local branch {@code branch}
   * (created or moved there); the working tree is left on it. Fails, the branch untouched, when one
   * does not apply there.
   */
  public ObjectId pickOnto(ObjectId base, List<ObjectId> commits, String branch, PersonIdent ident)
      throws GitException {
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      look(base);
      Map<ObjectId, ObjectId> moved = new LinkedHashMap<>();
      try {
        pick(walk, commits, ident, moved);
      } catch (GitException e) {
        git.reset().setMode(ResetType.HARD).call(); // no half-picked commit left behind
        throw e;
      }
      ObjectId tip = git.getRepository().resolve("HEAD");
      git.branchCreate().setName(branch).setStartPoint(tip.name()).setForce(true).call();
      return tip;
    } catch (GitAPIException | IOException e) {
      throw new GitException(
          "cannot make " + branch + " on " + base.name() + ": " + e.getMessage(), false, e);
    }
  }

  /** {@code paths} in the index and working tree as {@code commit} has them (absent: removed). */
  private void asIn(RevCommit commit, List<String> paths) throws GitAPIException, IOException {
    for (String path : paths) {
      try (TreeWalk tw = TreeWalk.forPath(git.getRepository(), path, commit.getTree())) {
        if (tw == null) {
          git.rm().addFilepattern(path).call();
        } else {
          git.checkout().setStartPoint(commit).addPath(path).call();
        }
      }
    }
  }

  /** A new commit on the current branch that undoes {@code commit}, with etask's trailers. */
  public ObjectId revert(
      ObjectId commit,
      String message,
      String taskId,
      Map<String, String> trailers,
      PersonIdent ident)
      throws GitException {
    try {
      RevCommit reverted = git.revert().include(commit).setOurCommitName("HEAD").call();
      if (reverted == null) {
        throw new GitException("cannot revert " + commit.name() + ": it conflicts", false, null);
      }
      // the revert's own message becomes etask's, with the trailers that make it etask's commit
      git.reset().setMode(ResetType.SOFT).setRef(reverted.getParent(0).name()).call();
      return repo.commit(message, taskId, trailers, ident);
    } catch (GitAPIException e) {
      throw new GitException("cannot revert " + commit.name() + ": " + e.getMessage(), false, e);
    }
  }
}
