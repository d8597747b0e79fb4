package dev.etask.core.git;

import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The git work of a task, done once on a throwaway repository of its own: init, status, stage,
 * commit, diff, restore, push to and fetch from a bare copy. Run on a spare thread while the task
 * waits for Python, it has the JVM load, verify and link JGit's classes (hundreds, from a signed
 * jar) and etask's git code there rather than on the task's path, where they cost a second of a
 * task's own time. It touches nothing but {@code dir}, which it removes; it never reaches the
 * task's clone or origin.
 */
public final class Rehearsal {
  private Rehearsal() {}

  /**
   * Runs the rehearsal in {@code dir} (made anew, removed at the end); true when all of it ran. A
   * rehearsal that fails, or is interrupted, leaves the real work its first-time cost and nothing
   * else.
   */
  public static boolean run(Path dir) {
    try {
      FileTrees.delete(dir);
      Path work = dir.resolve("work");
      Path bare = dir.resolve("origin.git");
      Git.init()
          .setBare(true)
          .setFs(NoHooks.fs())
          .setInitialBranch("main")
          .setDirectory(bare.toFile())
          .call()
          .close();
      PersonIdent ident = new PersonIdent("etask", "etask@localhost");
      try (GitRepo repo =
          new GitRepo(
              Git.init()
                  .setFs(NoHooks.fs())
                  .setInitialBranch("main")
                  .setDirectory(work.toFile())
                  .call())) {
        Path file = work.resolve("module.py");
        Files.writeString(file, "x = 1\n", StandardCharsets.UTF_8);
        repo.stage(repo.changes());
        ObjectId first = repo.commit("first", "rehearsal", ident);
        GitTransport origin = new GitTransport(repo, Origin.local(bare.toString()), Retry.NONE);
        origin.push("main");
        Files.writeString(file, "x = 2\n", StandardCharsets.UTF_8);
        repo.workingTreeDiff();
        repo.stage(repo.changes());
        repo.stagedDiff();
        repo.commit("second", "rehearsal", ident);
        repo.changedPaths(repo.headCommit());
        repo.isAncestor(first, repo.head());
        repo.commitsSince(first, repo.head());
        origin.fetch();
        origin.push("main", origin.remoteHead("main"));
        Files.writeString(file, "x = 3\n", StandardCharsets.UTF_8);
        repo.restore();
      }
      return true;
    } catch (Exception e) {
      return false; // nothing the task needs was made here
    } finally {
      try {
        FileTrees.delete(dir);
      } catch (IOException e) {
        // removed with the workspace, or by the next rehearsal
      }
    }
  }
}
