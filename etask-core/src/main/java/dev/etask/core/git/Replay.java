package dev.etask.core.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.merge.MergeAlgorithm;
import org.eclipse.jgit.merge.MergeFormatter;
import org.eclipse.jgit.merge.MergeResult;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * The task's commits made again on a moved base, one commit and one file at a time (scenario C): a
 * file only the task changed takes the task's version; one both changed is merged line by line when
 * the changes do not touch, else — a Python test file — merged structurally by {@link TestMerge},
 * else the task's change to it is dropped and the base's version kept. A commit whose every change
 * was dropped is left out. Nothing is written but objects: the caller moves the branch to {@link
 * Result#head}.
 */
public final class Replay {
  private Replay() {}

  /** Merges a test file the task and the base both changed: the merged bytes, or null and why. */
  public interface TestMerge {
    Merged merge(String path, byte[] base, byte[] upstream, byte[] task) throws GitException;
  }

  /**
   * {@code content} null: no merge ({@code why} says why); {@code renamed}: the task's tests
   * renamed.
   */
  public record Merged(byte[] content, String why, Map<String, String> renamed) {}

  /**
   * How the task's change to one file that the base changed too came out: {@code merged} (the union
   * of both) or dropped (the base's version kept), in the task's commit {@code commit} (the
   * original), against the base's commit {@code upstream} that last changed the file.
   */
  public record Conflict(
      String path,
      String commit,
      String upstream,
      boolean merged,
      String why,
      Map<String, String> renamed) {}

  /**
   * {@code head}: the new tip; {@code moved}: each original commit's copy (absent when all its
   * changes were dropped).
   */
  public record Result(ObjectId head, List<Conflict> conflicts, Map<ObjectId, ObjectId> moved) {}

  /** Makes {@code commits} (oldest first, from {@code oldBase}) again on {@code newBase}. */
  public static Result onto(
      GitRepo git,
      ObjectId oldBase,
      ObjectId newBase,
      List<RevCommit> commits,
      Predicate<String> testFile,
      TestMerge merger,
      PersonIdent committer)
      throws GitException {
    Repository repo = git.repository();
    List<Conflict> conflicts = new ArrayList<>();
    Map<ObjectId, ObjectId> moved = new LinkedHashMap<>();
    try (RevWalk walk = new RevWalk(repo);
        ObjectReader reader = repo.newObjectReader();
        ObjectInserter inserter = repo.newObjectInserter()) {
      RevCommit tip = walk.parseCommit(newBase);
      for (RevCommit original : commits) {
        RevCommit c = walk.parseCommit(original);
        RevCommit parent = walk.parseCommit(c.getParent(0));
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        builder.addTree(new byte[0], 0, reader, tip.getTree());
        builder.finish();
        DirCacheEditor editor = index.editor();
        for (Change change : Trees.changes(git, parent.getTree(), c.getTree())) {
          String path = change.path();
          Entry b = entry(repo, parent.getTree(), path);
          Entry t = entry(repo, c.getTree(), path);
          Entry u = entry(repo, tip.getTree(), path);
          if (Objects.equals(u, b)) {
            put(editor, path, t);
          } else if (!Objects.equals(u, t)) {
            Conflict why =
                resolve(git, reader, inserter, editor, path, b, u, t, testFile, merger, c);
            if (why != null) {
              conflicts.add(withUpstream(repo, why, oldBase, newBase));
            }
          }
        }
        editor.finish();
        ObjectId tree = index.writeTree(inserter);
        if (tree.equals(tip.getTree().getId())) {
          continue; // every change of this commit was dropped
        }
        CommitBuilder copy = new CommitBuilder();
        copy.setTreeId(tree);
        copy.setParentId(tip);
        copy.setAuthor(c.getAuthorIdent());
        copy.setCommitter(committer);
        copy.setMessage(c.getFullMessage());
        ObjectId id = inserter.insert(copy);
        inserter.flush();
        tip = walk.parseCommit(id);
        moved.put(original.getId(), id);
      }
      return new Result(tip.getId(), conflicts, moved);
    } catch (IOException e) {
      throw new GitException("cannot rebase the task's commits: " + e.getMessage(), false, e);
    }
  }

  /**
   * A file both sides changed: merged line by line, or structurally (a Python test file), or the
   * task's change dropped; the conflict to report, or null when the lines merged cleanly.
   */
  private static Conflict resolve(
      GitRepo git,
      ObjectReader reader,
      ObjectInserter inserter,
      DirCacheEditor editor,
      String path,
      Entry b,
      Entry u,
      Entry t,
      Predicate<String> testFile,
      TestMerge merger,
      RevCommit c)
      throws IOException, GitException {
    byte[] base = b == null ? new byte[0] : reader.open(b.id()).getBytes();
    byte[] upstream = u == null ? null : reader.open(u.id()).getBytes();
    byte[] task = t == null ? null : reader.open(t.id()).getBytes();
    if (upstream != null && task != null && text(base) && text(upstream) && text(task)) {
      MergeResult<RawText> lines =
          new MergeAlgorithm()
              .merge(
                  RawTextComparator.DEFAULT,
                  new RawText(base),
                  new RawText(upstream),
                  new RawText(task));
      if (!lines.containsConflicts()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new MergeFormatter()
            .formatMerge(
                out, lines, "base", "upstream", "task", java.nio.charset.StandardCharsets.UTF_8);
        put(
            editor,
            path,
            new Entry(inserter.insert(Constants.OBJ_BLOB, out.toByteArray()), t.mode()));
        return null;
      }
      if (testFile.test(path) && path.endsWith(".py")) {
        Merged m = merger.merge(path, base, upstream, task);
        if (m.content() != null) {
          put(editor, path, new Entry(inserter.insert(Constants.OBJ_BLOB, m.content()), t.mode()));
          return new Conflict(path, c.name(), null, true, "merged structurally", m.renamed());
        }
        return new Conflict(
            path, c.name(), null, false, "no structural merge: " + m.why(), Map.of());
      }
    }
    String why =
        upstream == null
            ? "the base deleted it"
            : task == null
                ? "the task deleted it and the base changed it"
                : "both changed the same lines";
    return new Conflict(path, c.name(), null, false, why, Map.of());
  }

  private static Conflict withUpstream(
      Repository repo, Conflict c, ObjectId oldBase, ObjectId newBase) throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setTreeFilter(
          org.eclipse.jgit.treewalk.filter.AndTreeFilter.create(
              PathFilter.create(c.path()), org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF));
      walk.markStart(walk.parseCommit(newBase));
      if (oldBase != null) {
        walk.markUninteresting(walk.parseCommit(oldBase));
      }
      RevCommit last = walk.next();
      return new Conflict(
          c.path(),
          c.commit(),
          last == null ? null : last.name(),
          c.merged(),
          c.why(),
          c.renamed());
    }
  }

  private static boolean text(byte[] bytes) {
    return !RawText.isBinary(bytes);
  }

  private record Entry(ObjectId id, FileMode mode) {}

  private static Entry entry(Repository repo, ObjectId tree, String path) throws IOException {
    try (TreeWalk walk = TreeWalk.forPath(repo, path, tree)) {
      return walk == null ? null : new Entry(walk.getObjectId(0), walk.getFileMode(0));
    }
  }

  private static void put(DirCacheEditor editor, String path, Entry e) {
    if (e == null) {
      editor.add(new DirCacheEditor.DeletePath(path));
      return;
    }
    editor.add(
        new DirCacheEditor.PathEdit(path) {
          @Override
          public void apply(DirCacheEntry entry) {
            entry.setFileMode(e.mode());
            entry.setObjectId(e.id());
          }
        });
  }
}
