package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code etask:clean}: removes a task's workspace and run state, never its artifacts, pushed branch or PR. */
public final class Cleaner {
  private Cleaner() {}

  /** Returns true when there was a workspace to remove. */
  public static boolean clean(Path workDir, Path artifactsDir, String id, Listener out) {
    Workspace ws = Workspace.of(workDir, artifactsDir, id);
    if (!Files.exists(ws.root())) {
      out.info("nothing to clean: task '" + id + "' has no workspace in " + ws.root().getParent());
      return false;
    }
    try (TaskLock lock = TaskLock.acquire(ws.lockFile(), id)) {
      try (var children = Files.list(ws.root())) {
        for (Path p : children.toList()) {
          if (!p.equals(ws.lockFile())) {
            FileTrees.delete(p);
          }
        }
      }
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(Code.TASK_LOCKED, e.getMessage(), "wait for that run to finish before cleaning");
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot remove " + ws.root() + ": " + e.getMessage(),
          "remove the folder by hand", e);
    }
    try {
      FileTrees.delete(ws.root());
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot remove " + ws.root() + ": " + e.getMessage(),
          "remove the folder by hand", e);
    }
    out.info("removed the workspace of task '" + id + "': " + ws.root()
        + " (clone, virtualenv, logs, state). Kept: " + ws.artifacts() + ", the pushed branch and the PR.");
    return true;
  }
}
