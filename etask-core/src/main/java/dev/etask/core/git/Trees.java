package dev.etask.core.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * What etask reads of two trees (the paths and lines they differ in, the files one adds) and the
 * commit it makes of a tree it recorded, whatever git's index holds.
 */
public final class Trees {
  private Trees() {}

  /** Line statistics of tree {@code to} against tree {@code from}. */
  public static DiffStats diff(GitRepo git, ObjectId from, ObjectId to) throws GitException {
    return WorkingTree.diff(git.repository(), from, to);
  }

  /** The paths that differ between tree {@code from} and tree {@code to}, sorted. */
  public static List<Change> changes(GitRepo git, ObjectId from, ObjectId to) throws GitException {
    try (TreeWalk walk = new TreeWalk(git.repository())) {
      walk.addTree(from);
      walk.addTree(to);
      walk.setRecursive(true);
      walk.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
      List<Change> out = new ArrayList<>();
      while (walk.next()) {
        boolean before = !walk.getFileMode(0).equals(org.eclipse.jgit.lib.FileMode.MISSING);
        boolean after = !walk.getFileMode(1).equals(org.eclipse.jgit.lib.FileMode.MISSING);
        out.add(
            new Change(
                walk.getPathString(),
                !before ? Change.Kind.ADDED : !after ? Change.Kind.DELETED : Change.Kind.MODIFIED));
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot compare two trees: " + e.getMessage(), false, e);
    }
  }

  /**
   * The paths of the files {@code to} adds or changes against {@code from} whose path or content
   * passes {@code test} (content read as UTF-8, invalid bytes replaced).
   */
  public static List<String> filesWhere(
      GitRepo git, ObjectId from, ObjectId to, java.util.function.Predicate<String> test)
      throws GitException {
    List<String> out = new ArrayList<>();
    try (org.eclipse.jgit.lib.ObjectReader reader = git.repository().newObjectReader()) {
      for (Change change : changes(git, from, to)) {
        if (change.kind() == Change.Kind.DELETED) {
          continue;
        }
        try (TreeWalk walk = TreeWalk.forPath(git.repository(), change.path(), to)) {
          if (walk == null || walk.getFileMode(0).equals(org.eclipse.jgit.lib.FileMode.GITLINK)) {
            continue;
          }
          if (test.test(change.path()) || holds(reader.open(walk.getObjectId(0)), test)) {
            out.add(change.path());
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot read the batch's files: " + e.getMessage(), false, e);
    }
  }

  /** Whether {@code test} passes on the blob, read as UTF-8 in overlapping windows when large. */
  private static boolean holds(
      org.eclipse.jgit.lib.ObjectLoader blob, java.util.function.Predicate<String> test)
      throws IOException {
    if (!blob.isLarge()) {
      return test.test(new String(blob.getCachedBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    int window = 1 << 20;
    int overlap = 8192; // longer than any form of a secret
    try (java.io.InputStream in = blob.openStream()) {
      byte[] buf = new byte[window + overlap];
      int kept = 0;
      int n;
      while ((n = in.readNBytes(buf, kept, window)) > 0) {
        int len = kept + n;
        if (test.test(new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8))) {
          return true;
        }
        kept = Math.min(overlap, len);
        System.arraycopy(buf, len - kept, buf, 0, kept);
      }
    }
    return false;
  }

  /**
   * Commits {@code tree} (as etask recorded it, whatever the index holds) on top of HEAD, with the
   * task trailer and {@code extraTrailers}, and moves the current branch to it, expecting it at
   * HEAD. Hooks never run.
   */
  public static ObjectId commit(
      GitRepo git,
      ObjectId tree,
      String message,
      String taskId,
      Map<String, String> extraTrailers,
      PersonIdent ident)
      throws GitException {
    Repository repo = git.repository();
    try (org.eclipse.jgit.lib.ObjectInserter inserter = repo.newObjectInserter()) {
      ObjectId parent = git.head();
      String branch = repo.getFullBranch();
      if (!branch.startsWith(Constants.R_HEADS)) {
        throw new GitException("HEAD is not on a branch: cannot commit", false, null);
      }
      org.eclipse.jgit.lib.CommitBuilder commit = new org.eclipse.jgit.lib.CommitBuilder();
      commit.setTreeId(tree);
      if (parent != null) {
        commit.setParentId(parent);
      }
      commit.setAuthor(ident);
      commit.setCommitter(ident);
      commit.setMessage(GitRepo.withTrailers(message, taskId, extraTrailers));
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      org.eclipse.jgit.lib.RefUpdate update = repo.updateRef(branch);
      update.setNewObjectId(id);
      update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
      update.setRefLogMessage("commit: " + message.lines().findFirst().orElse(""), false);
      org.eclipse.jgit.lib.RefUpdate.Result r = update.update();
      if (r != org.eclipse.jgit.lib.RefUpdate.Result.FAST_FORWARD
          && r != org.eclipse.jgit.lib.RefUpdate.Result.NEW
          && r != org.eclipse.jgit.lib.RefUpdate.Result.FORCED) {
        throw new GitException("cannot move " + branch + " to the new commit: " + r, false, null);
      }
      return id;
    } catch (IOException e) {
      throw new GitException("cannot commit: " + e.getMessage(), false, e);
    }
  }

  /**
   * {@code tree}'s changes against {@code base} made again on top of tree {@code onto} (a three-way
   * merge of the trees, in memory): the tree that results, or null when the changes touch what
   * {@code onto} changed differently.
   */
  public static ObjectId replay(GitRepo git, ObjectId base, ObjectId tree, ObjectId onto)
      throws GitException {
    try {
      org.eclipse.jgit.merge.ResolveMerger merger =
          (org.eclipse.jgit.merge.ResolveMerger)
              org.eclipse.jgit.merge.MergeStrategy.RESOLVE.newMerger(git.repository(), true);
      merger.setBase(base);
      return merger.merge(onto, tree) ? merger.getResultTreeId() : null;
    } catch (IOException e) {
      throw new GitException("cannot merge two trees: " + e.getMessage(), false, e);
    }
  }
}
