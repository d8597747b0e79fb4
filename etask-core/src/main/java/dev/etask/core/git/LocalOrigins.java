package dev.etask.core.git;

import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/** A local origin made from a plain folder (the demo works that way: no server, no token). */
public final class LocalOrigins {
  private LocalOrigins() {}

  /**
   * Makes a bare repository at {@code bare} holding one commit of {@code folder}'s files, on {@code
   * main}.
   */
  public static void create(Path folder, Path bare, PersonIdent ident) throws GitException {
    Path staging = bare.resolveSibling(bare.getFileName() + ".staging");
    try {
      FileTrees.delete(staging);
      FileTrees.copy(folder, staging);
      try (Git work = NoHooks.init(staging, false)) {
        work.add().addFilepattern(".").call();
        work.commit()
            .setMessage("Import " + folder.getFileName())
            .setAuthor(ident)
            .setCommitter(ident)
            .setNoVerify(true)
            .setSign(false)
            .call();
      }
      try (Git cloned =
          Git.cloneRepository()
              .setBare(true)
              .setFs(NoHooks.fs())
              .setURI(staging.toUri().toString())
              .setDirectory(bare.toFile())
              .call()) {
        cloned.getRepository().getConfig().unsetSection("remote", "origin");
        cloned.getRepository().getConfig().save();
      }
    } catch (GitAPIException | IOException e) {
      throw new GitException(
          "cannot create a local origin from " + folder + ": " + e.getMessage(), false, e);
    } finally {
      try {
        FileTrees.delete(staging);
      } catch (IOException e) {
        // leftover staging folder: harmless, replaced next time
      }
    }
  }

  /**
   * Copies every object file this repository shares with another by a hard link (a local clone), so
   * that nothing written through the clone reaches the other; returns how many.
   */
  static int ownObjects(Path objects) throws GitException {
    int copied = 0;
    try (var files = Files.walk(objects)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if ((Integer) Files.getAttribute(f, "unix:nlink") > 1) {
          Path copy = Files.createTempFile(f.getParent(), ".own", ".tmp");
          Files.copy(f, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          Files.move(
              copy,
              f,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          copied++;
        }
      }
      return copied;
    } catch (java.io.IOException | UnsupportedOperationException e) {
      throw new GitException("cannot copy the clone's objects: " + e.getMessage(), false, e);
    }
  }
}
