package dev.etask.core.git;

import java.io.IOException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;

/**
 * What a clone just made ({@link GitTransport#cloneInto}) knows without asking the origin again,
 * and what it can skip: its files and index are its HEAD's.
 */
public final class FreshClone {
  private FreshClone() {}

  /**
   * The branch the origin's HEAD named when the clone was made ({@code refs/remotes/origin/HEAD},
   * which git's clone writes), or null when the clone does not say.
   */
  public static String defaultBranch(GitRepo clone) throws GitException {
    try {
      Ref head = clone.repository().exactRef(Constants.R_REMOTES + "origin/" + Constants.HEAD);
      if (head == null || !head.isSymbolic()) {
        return null;
      }
      String target = head.getTarget().getName();
      String prefix = Constants.R_REMOTES + "origin/";
      return target.startsWith(prefix) ? target.substring(prefix.length()) : null;
    } catch (IOException e) {
      throw new GitException("cannot read the clone's refs: " + e.getMessage(), false, e);
    }
  }

  /**
   * {@link GitRepo#checkoutBranch}, for a clone just made: when {@code start} is HEAD, only the
   * branch is made and HEAD pointed at it (as {@code git switch -c} does), since a checkout would
   * read every file of a clone whose index was just written.
   */
  public static void branch(GitRepo clone, String branch, ObjectId start) throws GitException {
    Repository repo = clone.repository();
    try {
      if (repo.exactRef(Constants.R_HEADS + branch) != null || !start.equals(clone.head())) {
        clone.checkoutBranch(branch, start);
        return;
      }
      RefUpdate create = repo.updateRef(Constants.R_HEADS + branch);
      create.setNewObjectId(start);
      create.setExpectedOldObjectId(ObjectId.zeroId());
      create.setRefLogMessage("branch: Created from " + start.name(), false);
      RefUpdate.Result made = create.update();
      if (made != RefUpdate.Result.NEW) {
        throw new GitException("cannot create the branch " + branch + ": " + made, false, null);
      }
      RefUpdate.Result linked = repo.updateRef(Constants.HEAD).link(Constants.R_HEADS + branch);
      if (linked != RefUpdate.Result.NEW && linked != RefUpdate.Result.FORCED) {
        throw new GitException("cannot check out " + branch + ": " + linked, false, null);
      }
    } catch (IOException e) {
      throw new GitException("cannot check out " + branch + ": " + e.getMessage(), false, e);
    }
  }
}
