package dev.etask.core.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/**
 * What the working tree holds beside HEAD: the diff of the index or the tree, and the files git
 * ignores.
 */
final class WorkingTree {
  private WorkingTree() {}

  static DiffStats diff(Repository repo, boolean workingTree) throws GitException {
    try (ObjectReader reader = repo.newObjectReader();
        DiffFormatter fmt = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
      fmt.setRepository(repo);
      CanonicalTreeParser headTree = new CanonicalTreeParser();
      ObjectId tree = repo.resolve("HEAD^{tree}");
      if (tree != null) {
        headTree.reset(reader, tree);
      }
      if (workingTree) {
        fmt.setPathFilter(new org.eclipse.jgit.treewalk.filter.NotIgnoredFilter(1));
        return stats(fmt, fmt.scan(headTree, new org.eclipse.jgit.treewalk.FileTreeIterator(repo)));
      }
      fmt.setDetectRenames(true);
      return stats(fmt, fmt.scan(headTree, new DirCacheIterator(repo.readDirCache())));
    } catch (IOException e) {
      throw new GitException("cannot compute the diff: " + e.getMessage(), false, e);
    }
  }

  /** Line statistics of tree {@code to} against tree {@code from}, renames detected. */
  static DiffStats diff(Repository repo, ObjectId from, ObjectId to) throws GitException {
    try (DiffFormatter fmt = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
      fmt.setRepository(repo);
      fmt.setDetectRenames(true);
      return stats(fmt, fmt.scan(from, to));
    } catch (IOException e) {
      throw new GitException("cannot compute the diff: " + e.getMessage(), false, e);
    }
  }

  private static DiffStats stats(DiffFormatter fmt, List<DiffEntry> entries) throws IOException {
    int added = 0;
    int removed = 0;
    int binary = 0;
    Map<String, List<Integer>> addedLines = new LinkedHashMap<>();
    for (DiffEntry e : entries) {
      List<Integer> lines = new ArrayList<>();
      org.eclipse.jgit.patch.FileHeader header = fmt.toFileHeader(e);
      if (header.getPatchType() != org.eclipse.jgit.patch.FileHeader.PatchType.UNIFIED) {
        binary++; // no lines to count: said apart, never as a small diff
        continue;
      }
      for (Edit edit : header.toEditList()) {
        added += edit.getLengthB();
        removed += edit.getLengthA();
        for (int i = edit.getBeginB(); i < edit.getEndB(); i++) {
          lines.add(i + 1);
        }
      }
      if (e.getChangeType() != DiffEntry.ChangeType.DELETE) {
        addedLines.put(e.getNewPath(), lines);
      }
    }
    return new DiffStats(entries.size(), added, removed, addedLines, binary);
  }

  /**
   * Writes the files of HEAD's tree into the empty folder {@code dir}: regular and executable
   * files, symbolic links; submodules become empty folders. Only HEAD's objects are read, so a
   * clone whose history lacks objects (a partial clone) still works as long as HEAD is whole.
   */
  static void export(Repository repo, java.nio.file.Path dir) throws GitException {
    ObjectId tree;
    try {
      tree = repo.resolve("HEAD^{tree}");
    } catch (IOException e) {
      throw new GitException("cannot read HEAD: " + e.getMessage(), false, e);
    }
    if (tree == null) {
      throw new GitException(
          "the repository has no commit yet: nothing to compare with", false, null);
    }
    try (ObjectReader reader = repo.newObjectReader();
        TreeWalk walk = new TreeWalk(reader)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      java.nio.file.Files.createDirectories(dir);
      while (walk.next()) {
        java.nio.file.Path target = dir.resolve(walk.getPathString()).normalize();
        if (!target.startsWith(dir)) {
          continue; // a path git would refuse to check out
        }
        org.eclipse.jgit.lib.FileMode mode = walk.getFileMode(0);
        java.nio.file.Files.createDirectories(target.getParent());
        if (mode == org.eclipse.jgit.lib.FileMode.GITLINK) {
          java.nio.file.Files.createDirectories(target);
        } else if (mode == org.eclipse.jgit.lib.FileMode.SYMLINK) {
          String link =
              new String(
                  reader.open(walk.getObjectId(0)).getBytes(),
                  java.nio.charset.StandardCharsets.UTF_8);
          java.nio.file.Files.createSymbolicLink(target, java.nio.file.Path.of(link));
        } else {
          try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
            reader.open(walk.getObjectId(0)).copyTo(out);
          }
          if (mode == org.eclipse.jgit.lib.FileMode.EXECUTABLE_FILE) {
            target.toFile().setExecutable(true, false);
          }
        }
      }
    } catch (org.eclipse.jgit.errors.MissingObjectException e) {
      throw new GitException(
          "HEAD's tree has missing objects (" + e.getObjectId().name() + "): a partial clone?",
          false,
          e);
    } catch (IOException e) {
      throw new GitException("cannot write HEAD's files: " + e.getMessage(), false, e);
    }
  }

  /**
   * Files git ignores in the working tree whose paths pass {@code wanted} (folders are offered with
   * a trailing {@code /} and entered only when wanted): build outputs such as compiled extension
   * modules or generated version files, which a copy of HEAD lacks.
   */
  static List<String> ignored(Repository repo, java.util.function.Predicate<String> wanted)
      throws GitException {
    List<String> out = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(repo)) {
      org.eclipse.jgit.treewalk.FileTreeIterator files =
          new org.eclipse.jgit.treewalk.FileTreeIterator(repo);
      walk.addTree(files);
      walk.setRecursive(false);
      while (walk.next()) {
        org.eclipse.jgit.treewalk.WorkingTreeIterator it =
            walk.getTree(0, org.eclipse.jgit.treewalk.WorkingTreeIterator.class);
        String path = walk.getPathString();
        boolean ignored = it.isEntryIgnored();
        if (walk.isSubtree()) {
          String name = path.substring(path.lastIndexOf('/') + 1);
          if (!name.equals(".git") && !name.equals("__pycache__") && wanted.test(path + "/")) {
            walk.enterSubtree(); // a folder is asked for with a trailing '/'
          }
        } else if (ignored && wanted.test(path)) {
          out.add(path);
        }
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot list the ignored files: " + e.getMessage(), false, e);
    }
  }
}
