package dev.etask.core.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Repository;

/** git's index, written from a tree's files and compared with them; never read for content. */
final class GitIndex {
  private GitIndex() {}

  /** Writes the index as {@code entries}, with the sizes and times of the files in {@code root}. */
  static void write(Repository repo, Path root, Map<String, ExactTree.Entry> entries)
      throws GitException {
    try {
      DirCache index = repo.lockDirCache();
      try {
        DirCacheBuilder builder = index.builder();
        add(builder, entries, root);
        builder.commit();
      } finally {
        index.unlock();
      }
    } catch (IOException e) {
      throw new GitException("cannot write git's index: " + e.getMessage(), false, e);
    }
  }

  /** The tree of {@code entries}, its objects written by {@code inserter}. */
  static org.eclipse.jgit.lib.ObjectId tree(
      org.eclipse.jgit.lib.ObjectInserter inserter, Map<String, ExactTree.Entry> entries)
      throws IOException {
    DirCache index = DirCache.newInCore();
    DirCacheBuilder builder = index.builder();
    add(builder, entries, null);
    builder.finish();
    return index.writeTree(inserter);
  }

  /** {@code entries} in path order; with {@code root}, the sizes and times of its files. */
  private static void add(DirCacheBuilder builder, Map<String, ExactTree.Entry> entries, Path root)
      throws IOException {
    for (Map.Entry<String, ExactTree.Entry> e : new TreeMap<>(entries).entrySet()) {
      DirCacheEntry d = new DirCacheEntry(e.getKey());
      d.setObjectId(e.getValue().blob());
      d.setFileMode(e.getValue().mode());
      Path file = root == null ? null : root.resolve(e.getKey());
      if (file != null && Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        BasicFileAttributes a =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        d.setLength(a.size());
        d.setLastModified(a.lastModifiedTime().toInstant());
      }
      builder.add(d);
    }
  }

  /** True when the index holds exactly {@code want}. */
  static boolean holds(Repository repo, Map<String, ExactTree.Entry> want) {
    try {
      DirCache index = DirCache.read(repo.getIndexFile(), repo.getFS());
      if (index.getEntryCount() != want.size()) {
        return false;
      }
      for (int i = 0; i < index.getEntryCount(); i++) {
        DirCacheEntry e = index.getEntry(i);
        ExactTree.Entry w = want.get(e.getPathString());
        if (w == null
            || e.getStage() != DirCacheEntry.STAGE_0
            || !w.blob().equals(e.getObjectId())
            || !w.mode().equals(e.getFileMode())) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false; // an index that cannot be read is not the tree
    }
  }
}
