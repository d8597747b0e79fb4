package dev.etask.core.git;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Walks of the folder an {@link ExactTree} holds: its files, and the empty folders it leaves. */
final class FolderScan {
  private FolderScan() {}

  /**
   * Every file and symbolic link below the root (not {@code .git}, not in the folders of the
   * checked-out submodules {@code opaque}).
   */
  static Map<String, Boolean> files(Path root, Set<String> opaque) throws GitException {
    Map<String, Boolean> out = new LinkedHashMap<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              String rel = root.relativize(dir).toString().replace('\\', '/');
              if (rel.equals(".git") || opaque.contains(rel)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              out.put(root.relativize(file).toString().replace('\\', '/'), Boolean.TRUE);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              out.put(root.relativize(file).toString().replace('\\', '/'), Boolean.TRUE);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new GitException("cannot list " + root + ": " + e.getMessage(), false, e);
    }
    return out;
  }

  /**
   * Removes the empty folders below {@code root} that neither {@code keep} nor an owned file needs.
   */
  static void removeEmptyFolders(Path root, Set<String> keep, Set<String> owned, Set<String> opaque)
      throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (var walk = Files.walk(root)) {
      walk.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !p.equals(root))
          .filter(p -> !root.relativize(p).startsWith(".git"))
          .filter(
              p -> {
                // a checked-out submodule's folders are its own (an empty one may be a submodule
                // of it that is not checked out)
                String rel = root.relativize(p).toString().replace('\\', '/');
                return opaque.stream().noneMatch(o -> rel.startsWith(o + "/"));
              })
          .forEach(dirs::add);
    }
    dirs.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path d : dirs) {
      String rel = root.relativize(d).toString().replace('\\', '/');
      boolean needed = keep.contains(rel) || owned.stream().anyMatch(o -> o.startsWith(rel + "/"));
      try (var entries = Files.list(d)) {
        if (!needed && entries.findAny().isEmpty()) {
          Files.delete(d);
        }
      }
    }
  }

  /** {@code files} with every {@code .gitattributes} first. */
  static <V> Map<String, V> attributesFirst(Map<String, V> files) {
    Map<String, V> out = new LinkedHashMap<>();
    files.forEach(
        (p, v) -> {
          if (p.equals(".gitattributes") || p.endsWith("/.gitattributes")) {
            out.put(p, v);
          }
        });
    out.putAll(files);
    return out;
  }

  /** The gitlink of {@code expected} whose folder holds {@code path}, or null. */
  static String inside(String path, Map<String, ExactTree.Entry> expected) {
    for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
      ExactTree.Entry e = expected.get(path.substring(0, i));
      if (e != null && e.mode() == org.eclipse.jgit.lib.FileMode.GITLINK) {
        return path.substring(0, i);
      }
    }
    return null;
  }

  /** Size, modification and inode change times, inode and permissions: what a write changes. */
  static String stamp(Path file) throws IOException {
    Map<String, Object> a =
        Files.readAttributes(
            file, "unix:size,lastModifiedTime,ctime,ino,mode,nlink", LinkOption.NOFOLLOW_LINKS);
    return a.get("size")
        + ":"
        + a.get("lastModifiedTime")
        + ":"
        + a.get("ctime")
        + ":"
        + a.get("ino")
        + ":"
        + a.get("mode");
  }
}
