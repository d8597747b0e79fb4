package dev.etask.core.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * A working tree file's content as git stores it: the repository's {@code .gitattributes} (eol,
 * {@code text}) applied, as {@code git add} would. Read only when its bytes differ from what is
 * expected, so most files never pay for it.
 */
public final class GitContent {
  private GitContent() {}

  /** The blob id of {@code path} as git would store it; {@code raw} when git reads it as it is. */
  static ObjectId id(Repository repo, String path, ObjectId raw) throws IOException {
    byte[] stored = stored(repo, path);
    if (stored == null) {
      return raw;
    }
    try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
      return f.idFor(Constants.OBJ_BLOB, stored);
    }
  }

  /** The bytes git would store for {@code path} (the file {@code file} of the working tree). */
  static byte[] clean(Repository repo, String path, Path file) throws IOException {
    byte[] stored = stored(repo, path);
    return stored != null ? stored : Files.readAllBytes(file);
  }

  /**
   * The working tree file {@code path} with git's check-in conversion of line ends applied (the
   * repository's eol and text attributes: an {@code eol=crlf} file is stored with LF), or null when
   * it is not there. (JGit's working tree iterator reads such a file as it is.)
   */
  private static byte[] stored(Repository repo, String path) throws IOException {
    try (TreeWalk walk = walk(repo, path)) {
      while (walk.next()) {
        if (walk.getPathString().equals(path)) {
          org.eclipse.jgit.lib.CoreConfig.EolStreamType eol =
              walk.getEolStreamType(TreeWalk.OperationType.CHECKIN_OP);
          try (InputStream in =
              org.eclipse.jgit.util.io.EolStreamTypeUtil.wrapInputStream(
                  walk.getTree(0, FileTreeIterator.class).openEntryStream(),
                  eol == null ? org.eclipse.jgit.lib.CoreConfig.EolStreamType.DIRECT : eol)) {
            return in.readAllBytes();
          }
        }
      }
    }
    return null;
  }

  /**
   * Gives {@code file}, just written with a blob's bytes at {@code path}, git's checkout conversion
   * of line ends (an {@code eol=crlf} file gets CRLF), as a checkout would.
   */
  static void smudge(Repository repo, String path, Path file) throws IOException {
    try (TreeWalk walk = walk(repo, path)) {
      while (walk.next()) {
        if (walk.getPathString().equals(path)) {
          org.eclipse.jgit.lib.CoreConfig.EolStreamType eol =
              walk.getEolStreamType(TreeWalk.OperationType.CHECKOUT_OP);
          if (eol == org.eclipse.jgit.lib.CoreConfig.EolStreamType.TEXT_CRLF
              || eol == org.eclipse.jgit.lib.CoreConfig.EolStreamType.AUTO_CRLF) {
            byte[] bytes = Files.readAllBytes(file);
            java.io.ByteArrayOutputStream converted = new java.io.ByteArrayOutputStream();
            try (java.io.OutputStream out =
                org.eclipse.jgit.util.io.EolStreamTypeUtil.wrapOutputStream(converted, eol)) {
              out.write(bytes);
            }
            Files.write(file, converted.toByteArray());
          }
        }
      }
    }
  }

  private static TreeWalk walk(Repository repo, String path) throws IOException {
    TreeWalk walk = new TreeWalk(repo);
    // as git add reads a file: its check-in conversion (eol=crlf files are stored with LF)
    walk.setOperationType(org.eclipse.jgit.treewalk.TreeWalk.OperationType.CHECKIN_OP);
    walk.addTree(new FileTreeIterator(repo));
    walk.setFilter(PathFilter.create(path));
    walk.setRecursive(true);
    return walk;
  }

  /** The blob id of {@code file}'s bytes as they are (a symbolic link: its target). */
  public static ObjectId blobId(Path file) throws IOException {
    try (ObjectInserter.Formatter f = new ObjectInserter.Formatter()) {
      return f.idFor(Constants.OBJ_BLOB, content(file, modeOf(file)));
    }
  }

  static FileMode modeOf(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      return FileMode.SYMLINK;
    }
    // the owner's execute bit, as git reads it (not whether this process may run it)
    return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
            .contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE)
        ? FileMode.EXECUTABLE_FILE
        : FileMode.REGULAR_FILE;
  }

  static byte[] content(Path file, FileMode mode) throws IOException {
    if (mode == FileMode.SYMLINK) {
      return Files.readSymbolicLink(file)
          .toString()
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    return Files.readAllBytes(file);
  }

  /** How many names {@code file} has (above one: a hard link to another file). */
  public static int links(Path file) throws IOException {
    return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
  }
}
