package dev.etask.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/** A commit made beside the working tree: the failure PR's branch gets its report this way. */
public final class DetachedCommits {
  private DetachedCommits() {}

  /**
   * Makes {@code branch} point at a new commit on top of {@code base} that adds {@code files}
   * (repository path → content), without touching the working tree or the current branch.
   */
  public static ObjectId onto(
      GitRepo git,
      String branch,
      ObjectId base,
      Map<String, String> files,
      String message,
      String taskId,
      PersonIdent ident)
      throws GitException {
    Repository repo = git.repository();
    try (ObjectInserter ins = repo.newObjectInserter();
        RevWalk walk = new RevWalk(repo)) {
      RevCommit parent = walk.parseCommit(base);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], 0, repo.newObjectReader(), parent.getTree());
      for (Map.Entry<String, String> f : files.entrySet()) {
        DirCacheEntry e = new DirCacheEntry(f.getKey());
        e.setFileMode(org.eclipse.jgit.lib.FileMode.REGULAR_FILE);
        e.setObjectId(
            ins.insert(Constants.OBJ_BLOB, f.getValue().getBytes(StandardCharsets.UTF_8)));
        builder.add(e);
      }
      builder.finish();
      ObjectId tree = index.writeTree(ins);
      org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
      cb.setTreeId(tree);
      cb.setParentId(parent);
      cb.setAuthor(ident);
      cb.setCommitter(ident);
      cb.setMessage(message.strip() + "\n\n" + GitRepo.TRAILER + ": " + taskId + "\n");
      ObjectId commit = ins.insert(cb);
      ins.flush();
      org.eclipse.jgit.lib.RefUpdate ru = repo.updateRef(Constants.R_HEADS + branch);
      ru.setNewObjectId(commit);
      ru.setForceUpdate(true);
      org.eclipse.jgit.lib.RefUpdate.Result r = ru.update();
      if (r != org.eclipse.jgit.lib.RefUpdate.Result.NEW
          && r != org.eclipse.jgit.lib.RefUpdate.Result.FORCED
          && r != org.eclipse.jgit.lib.RefUpdate.Result.FAST_FORWARD) {
        throw new GitException("cannot update " + branch + ": " + r, false, null);
      }
      return commit;
    } catch (IOException e) {
      throw new GitException("cannot commit onto " + branch + ": " + e.getMessage(), false, e);
    }
  }
}
