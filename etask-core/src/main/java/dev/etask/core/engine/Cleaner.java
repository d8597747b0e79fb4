package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskIds;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * {@code etask:clean}: removes a task's workspace and run state, never its artifacts, pushed branch
 * or PR. It deletes only a folder that is really inside the work folder (symbolic links resolved)
 * and whose {@value Workspace#MARKER} marker names the task.
 */
public final class Cleaner {
  private Cleaner() {}

  /** Returns true when there was a workspace to remove. */
  public static boolean clean(Path workDir, Path artifactsDir, String id, Listener out) {
    String problem = TaskIds.problem(id);
    if (problem != null) {
      throw new EtaskException(
          Code.SPEC_INVALID,
          "etask:clean refuses -Detask.id=" + id + ": " + problem,
          Hints.taskId());
    }
    Workspace ws = Workspace.of(workDir, artifactsDir, id);
    if (!Files.exists(ws.root(), LinkOption.NOFOLLOW_LINKS)) {
      out.info("nothing to clean: task '" + id + "' has no workspace in " + ws.root().getParent());
      return false;
    }
    checkDeletable(workDir, ws);
    try (TaskLock lock = TaskLock.acquire(ws.lockFile(), id)) {
      try (var children = Files.list(ws.root())) {
        for (Path p : children.toList()) {
          if (!p.equals(ws.lockFile())) {
            FileTrees.delete(p);
          }
        }
      }
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(Code.TASK_LOCKED, e.getMessage(), Hints.waitBeforeCleaning());
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot remove " + ws.root() + ": " + e.getMessage(),
          Hints.removeByHand(),
          e);
    }
    try {
      FileTrees.delete(ws.root());
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot remove " + ws.root() + ": " + e.getMessage(),
          Hints.removeByHand(),
          e);
    }
    out.info(
        "removed the workspace of task '"
            + id
            + "': "
            + ws.root()
            + " (clone, virtualenv, logs, state). Kept: "
            + ws.artifacts()
            + ", the pushed branch and the PR.");
    return true;
  }

  /** The workspace must be a real folder directly inside the work folder, marked as this task's. */
  private static void checkDeletable(Path workDir, Workspace ws) {
    Path realWork;
    Path realRoot;
    try {
      realWork = workDir.toAbsolutePath().toRealPath();
      realRoot = ws.root().toRealPath();
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot resolve " + ws.root() + ": " + e.getMessage(),
          Hints.checkWorkFolder(),
          e);
    }
    if (Files.isSymbolicLink(ws.root()) || !realWork.equals(realRoot.getParent())) {
      throw new EtaskException(
          Code.IO_FAILED,
          ws.root()
              + " leads to "
              + realRoot
              + ", outside the work folder "
              + realWork
              + "; etask:clean deletes nothing outside it",
          Hints.removeLinkByHand(ws.root()));
    }
    String marked = Workspace.markerId(ws.root());
    if (!ws.id().equals(marked)) {
      throw new EtaskException(
          Code.IO_FAILED,
          ws.root()
              + (marked == null
                  ? " has no " + Workspace.MARKER + " marker"
                  : " is marked as the workspace of task '" + marked + "'")
              + ", so it is not task '"
              + ws.id()
              + "''s workspace; etask:clean deletes nothing it did not make",
          Hints.idAndWorkDir());
    }
  }
}
