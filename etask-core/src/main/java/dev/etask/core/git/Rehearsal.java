package dev.etask.core.git;

import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * The git work of a task, done once on a throwaway repository of its own: init, status, stage,
 * commit, diff, restore, push to and fetch from a bare copy. Run on a spare thread while the task
 * waits for Python, it has the JVM load, verify and link JGit's classes (hundreds, from a signed
 * jar) and etask's git code there rather than on the task's path, where they cost a second of a
 * task's own time. It touches nothing but a folder of its own, which it removes; it never reaches
 * the task's clone or origin, and no git hook runs.
 */
public final class Rehearsal {
  private Rehearsal() {}

  /**
   * Initializes JGit's file-system classes on the calling thread. FS's static initializer makes an
   * FS_POSIX: a thread that starts with a subclass (the rehearsal's {@link NoHooks}) while another
   * runs FS's initializer would wait for the other forever. Called on the task's thread before the
   * rehearsal starts.
   */
  public static void settleClasses() {
    NoHooks.fs();
  }

  /**
   * Runs the rehearsal in a new folder (owner-only, as made by {@link
   * Files#createTempDirectory(Path, String, java.nio.file.attribute.FileAttribute[])}) in {@code
   * parent}, removed at the end; true when all of it ran. It stops early when its thread is
   * interrupted (the run ended). A rehearsal that fails or stops leaves the real work its
   * first-time cost and nothing else (a JVM halted while it runs leaves its folder behind).
   */
  public static boolean run(Path parent) {
    Path dir;
    try {
      dir = Files.createTempDirectory(parent, "etask-rehearsal-");
    } catch (IOException | RuntimeException e) {
      return false;
    }
    try {
      // only below dir, which was made owner-only and is never removed and made again by name
      Path work = dir.resolve("work");
      Path bare = dir.resolve("origin.git");
      NoHooks.init(bare, true).close();
      PersonIdent ident = new PersonIdent("etask", "etask@localhost");
      try (GitRepo repo = new GitRepo(NoHooks.init(work, false))) {
        Path file = work.resolve("module.py");
        Files.writeString(file, "x = 1\n", StandardCharsets.UTF_8);
        repo.stage(repo.changes());
        ObjectId first = repo.commit("first", "rehearsal", ident);
        if (stopped()) {
          return false;
        }
        GitTransport origin = new GitTransport(repo, Origin.local(bare.toString()), Retry.NONE);
        origin.push("main");
        Files.writeString(file, "x = 2\n", StandardCharsets.UTF_8);
        repo.workingTreeDiff();
        repo.stage(repo.changes());
        repo.stagedDiff();
        repo.commit("second", "rehearsal", ident);
        if (stopped()) {
          return false;
        }
        repo.changedPaths(repo.headCommit());
        repo.isAncestor(first, repo.head());
        repo.commitsSince(first, repo.head());
        origin.fetch();
        origin.push("main", origin.remoteHead("main"));
        Files.writeString(file, "x = 3\n", StandardCharsets.UTF_8);
        repo.restore();
      }
      return !stopped();
    } catch (Exception e) {
      return false; // nothing the task needs was made here
    } finally {
      try {
        FileTrees.delete(dir);
      } catch (IOException e) {
        // a throwaway in the temporary folder
      }
    }
  }

  private static boolean stopped() {
    return Thread.currentThread().isInterrupted();
  }
}
