package dev.etask.core.workspace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps two runs of one task id apart: an OS file lock on {@code <workspace>/.lock}, released on
 * close.
 */
public final class TaskLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private TaskLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock or throws {@link LockedException} naming the holder. */
  public static TaskLock acquire(Path lockFile, String taskId) throws IOException {
    Files.createDirectories(lockFile.getParent());
    FileChannel ch =
        FileChannel.open(
            lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      String holder = Files.readString(lockFile, StandardCharsets.UTF_8).trim();
      ch.close();
      throw new LockedException(
          "another etask run of task '"
              + taskId
              + "' is in progress"
              + (holder.isEmpty() ? "" : " (" + holder + ")")
              + "; wait for it to finish, or give this run its own"
              + " -Detask.workDir");
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
        0);
    return new TaskLock(ch, l);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }

  /** The task is locked by another run. */
  public static final class LockedException extends IOException {
    public LockedException(String message) {
      super(message);
    }
  }
}
