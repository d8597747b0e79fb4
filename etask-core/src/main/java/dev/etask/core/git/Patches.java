package dev.etask.core.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;

/** The unified diff between two commits, as {@code git diff} prints it. */
public final class Patches {
  private Patches() {}

  public static String between(Repository repo, ObjectId from, ObjectId to) throws GitException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RevWalk walk = new RevWalk(repo);
        DiffFormatter fmt = new DiffFormatter(out)) {
      fmt.setRepository(repo);
      fmt.format(walk.parseCommit(from).getTree(), walk.parseCommit(to).getTree());
      fmt.flush();
    } catch (IOException e) {
      throw new GitException("cannot diff " + from.name() + ".." + to.name(), false, e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
