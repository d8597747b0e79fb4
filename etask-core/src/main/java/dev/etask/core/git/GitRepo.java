package dev.etask.core.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** The task's clone, through JGit. Every commit carries the trailer {@code Etask-Task: <id>}. */
public final class GitRepo implements AutoCloseable {
  public static final String TRAILER = "Etask-Task";
  private static final int TIMEOUT_SECONDS = 120;

  private final Git git;

  GitRepo(Git git) {
    this.git = git;
  }

  /**
   * Opens a repository; no git hook ever runs in it. Fetches and pushes go through a {@link
   * GitTransport}.
   */
  public static GitRepo open(Path dir) throws GitException {
    try {
      return new GitRepo(Git.open(dir.toFile(), NoHooks.fs()));
    } catch (IOException e) {
      throw new GitException("cannot open the clone in " + dir + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * A local copy of the repository at {@code path} (a folder or bare repository), for local work
   * only.
   */
  public static GitRepo cloneFrom(String path, Path dir) throws GitException {
    return GitTransport.cloneFrom(Origin.local(path), dir);
  }

  /** True when {@code dir} is a git repository (working tree or bare). */
  public static boolean isRepository(Path dir) {
    return Files.isDirectory(dir.resolve(".git"))
        || (Files.isRegularFile(dir.resolve("HEAD")) && Files.isDirectory(dir.resolve("objects")));
  }

  public Repository repository() {
    return git.getRepository();
  }

  Git git() {
    return git;
  }

  /** The commit {@code origin/<branch>} points at after the last fetch, or null. */
  public ObjectId remoteTracking(String branch) throws GitException {
    return resolve(Constants.R_REMOTES + "origin/" + branch);
  }

  public ObjectId head() throws GitException {
    return resolve(Constants.HEAD);
  }

  public String currentBranch() throws GitException {
    try {
      return git.getRepository().getBranch();
    } catch (IOException e) {
      throw new GitException("cannot read HEAD: " + e.getMessage(), false, e);
    }
  }

  public ObjectId resolve(String revision) throws GitException {
    try {
      return git.getRepository().resolve(revision);
    } catch (IOException e) {
      throw new GitException("cannot resolve " + revision + ": " + e.getMessage(), false, e);
    }
  }

  /** Checks out {@code branch}, creating or resetting it at {@code start}. */
  public void checkoutBranch(String branch, ObjectId start) throws GitException {
    try {
      boolean exists = git.getRepository().exactRef(Constants.R_HEADS + branch) != null;
      if (branch.equals(git.getRepository().getBranch()) && exists) {
        git.reset().setMode(ResetType.HARD).setRef(start.name()).call();
      } else {
        git.checkout()
            .setName(branch)
            .setCreateBranch(true)
            .setForced(true)
            .setForceRefUpdate(true)
            .setStartPoint(start.name())
            .call();
      }
    } catch (GitAPIException | IOException e) {
      throw new GitException("cannot check out " + branch + ": " + e.getMessage(), false, e);
    }
  }

  /** Commits reachable from {@code tip} but not from {@code base}, oldest first. */
  public List<RevCommit> commitsSince(ObjectId base, ObjectId tip) throws GitException {
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      walk.markStart(walk.parseCommit(tip));
      if (base != null) {
        walk.markUninteresting(walk.parseCommit(base));
      }
      List<RevCommit> out = new ArrayList<>();
      walk.forEach(out::add);
      java.util.Collections.reverse(out);
      return out;
    } catch (IOException e) {
      throw new GitException("cannot walk the history: " + e.getMessage(), false, e);
    }
  }

  /** True when {@code ancestor} is {@code descendant} or one of its ancestors. */
  public boolean isAncestor(ObjectId ancestor, ObjectId descendant) throws GitException {
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      return walk.isMergedInto(walk.parseCommit(ancestor), walk.parseCommit(descendant));
    } catch (IOException e) {
      throw new GitException("cannot walk the history: " + e.getMessage(), false, e);
    }
  }

  public static boolean isTaskCommit(RevCommit commit, String taskId) {
    return commit.getFooterLines(TRAILER).contains(taskId);
  }

  /** Every file tracked at HEAD, with {@code /} separators. */
  public List<String> trackedFiles() throws GitException {
    List<String> out = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(git.getRepository())) {
      ObjectId tree = resolve("HEAD^{tree}");
      if (tree == null) {
        return out;
      }
      walk.addTree(tree);
      walk.setRecursive(true);
      while (walk.next()) {
        out.add(walk.getPathString());
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot list tracked files: " + e.getMessage(), false, e);
    }
  }

  /** The paths that differ from HEAD in the working tree and index, ignored files excluded. */
  public List<Change> changes() throws GitException {
    try {
      Status s = git.status().call();
      Map<String, Change.Kind> out = new LinkedHashMap<>();
      s.getUntracked().forEach(p -> out.put(p, Change.Kind.ADDED));
      s.getAdded().forEach(p -> out.put(p, Change.Kind.ADDED));
      s.getChanged().forEach(p -> out.put(p, Change.Kind.MODIFIED));
      s.getModified().forEach(p -> out.put(p, Change.Kind.MODIFIED));
      s.getConflicting().forEach(p -> out.put(p, Change.Kind.MODIFIED));
      s.getRemoved().forEach(p -> out.put(p, Change.Kind.DELETED));
      s.getMissing().forEach(p -> out.put(p, Change.Kind.DELETED));
      List<Change> changes = new ArrayList<>();
      out.forEach((p, k) -> changes.add(new Change(p, k)));
      changes.sort(java.util.Comparator.comparing(Change::path));
      return changes;
    } catch (GitAPIException e) {
      throw new GitException("cannot read the working tree's status: " + e.getMessage(), false, e);
    }
  }

  /** Stages exactly these changes. */
  public void stage(List<Change> changes) throws GitException {
    try {
      for (Change c : changes) {
        if (c.kind() == Change.Kind.DELETED) {
          git.rm().setCached(true).addFilepattern(c.path()).call();
        } else {
          git.add().addFilepattern(c.path()).call();
        }
      }
    } catch (GitAPIException e) {
      throw new GitException("cannot stage the batch: " + e.getMessage(), false, e);
    }
  }

  /** Line statistics of the index against HEAD. */
  public DiffStats stagedDiff() throws GitException {
    return WorkingTree.diff(git.getRepository(), false);
  }

  /** HEAD's tree, or null on a repository without a commit. */
  public ObjectId headTree() throws GitException {
    return resolve("HEAD^{tree}");
  }

  /** Commits the index; the message gets the task trailer. Hooks never run. */
  public ObjectId commit(String message, String taskId, PersonIdent ident) throws GitException {
    return commit(message, taskId, Map.of(), ident);
  }

  /**
   * Commits the index with the task trailer and {@code extraTrailers} (name → value). Hooks never
   * run.
   */
  public ObjectId commit(
      String message, String taskId, Map<String, String> extraTrailers, PersonIdent ident)
      throws GitException {
    try {
      RevCommit c =
          git.commit()
              .setMessage(withTrailers(message, taskId, extraTrailers))
              .setAllowEmpty(false)
              .setAuthor(ident)
              .setCommitter(ident)
              .setNoVerify(true)
              .setSign(false)
              .call();
      return c.getId();
    } catch (GitAPIException e) {
      throw new GitException("cannot commit: " + e.getMessage(), false, e);
    }
  }

  static String withTrailers(String message, String taskId, Map<String, String> extraTrailers) {
    StringBuilder m =
        new StringBuilder(message.strip())
            .append("\n\n")
            .append(TRAILER)
            .append(": ")
            .append(taskId)
            .append('\n');
    extraTrailers.forEach((k, v) -> m.append(k).append(": ").append(v).append('\n'));
    return m.toString();
  }

  /**
   * Line statistics of the working tree (untracked files included, ignored ones not) against HEAD;
   * changes nothing.
   */
  public DiffStats workingTreeDiff() throws GitException {
    return WorkingTree.diff(git.getRepository(), true);
  }

  /** A commit, parsed (for its message, author and committer). */
  public RevCommit parse(ObjectId id) throws GitException {
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      return walk.parseCommit(id);
    } catch (IOException e) {
      throw new GitException("cannot read commit " + id.name() + ": " + e.getMessage(), false, e);
    }
  }

  /** The HEAD commit, parsed (for its trailers). */
  public RevCommit headCommit() throws GitException {
    try (RevWalk walk = new RevWalk(git.getRepository())) {
      ObjectId head = head();
      return head == null ? null : walk.parseCommit(head);
    } catch (IOException e) {
      throw new GitException("cannot read HEAD: " + e.getMessage(), false, e);
    }
  }

  /**
   * Puts the working tree and index back to HEAD exactly: tracked files restored, untracked ones
   * removed.
   */
  public void restore() throws GitException {
    try {
      Status now = git.status().call();
      if (now.isClean()
          && now.getUntrackedFolders().isEmpty()
          && git.getRepository().getRepositoryState() == org.eclipse.jgit.lib.RepositoryState.SAFE
          && !Files.exists(git.getRepository().getDirectory().toPath().resolve("SQUASH_MSG"))) {
        return; // nothing staged, changed, missing, untracked or in progress: nothing to reset
      }
      git.reset().setMode(ResetType.HARD).setRef(Constants.HEAD).call();
      git.clean().setCleanDirectories(true).setForce(true).call();
    } catch (GitAPIException e) {
      throw new GitException("cannot restore the working tree: " + e.getMessage(), false, e);
    }
  }

  /** Moves the current branch to {@code commit}, its files in the working tree and index. */
  public void resetTo(ObjectId commit) throws GitException {
    try {
      git.reset().setMode(ResetType.HARD).setRef(commit.name()).call();
    } catch (GitAPIException e) {
      throw new GitException("cannot move the branch: " + e.getMessage(), false, e);
    }
  }

  /**
   * Files git ignores in the working tree whose paths pass {@code wanted} (see {@link
   * WorkingTree#ignored}).
   */
  public List<String> ignoredFiles(java.util.function.Predicate<String> wanted)
      throws GitException {
    return WorkingTree.ignored(git.getRepository(), wanted);
  }

  /** The paths {@code commit} changes against its first parent (all its files for a root). */
  public List<String> changedPaths(RevCommit commit) throws GitException {
    try (org.eclipse.jgit.treewalk.TreeWalk walk =
        new org.eclipse.jgit.treewalk.TreeWalk(git.getRepository())) {
      walk.setRecursive(true);
      if (commit.getParentCount() > 0) {
        try (RevWalk rw = new RevWalk(git.getRepository())) {
          walk.addTree(rw.parseCommit(commit.getParent(0)).getTree());
        }
      } else {
        walk.addTree(new org.eclipse.jgit.treewalk.EmptyTreeIterator());
      }
      walk.addTree(commit.getTree());
      walk.setFilter(org.eclipse.jgit.treewalk.filter.TreeFilter.ANY_DIFF);
      List<String> out = new ArrayList<>();
      while (walk.next()) {
        out.add(walk.getPathString());
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot read " + commit.name() + ": " + e.getMessage(), false, e);
    }
  }

  /** Writes HEAD's files into the empty folder {@code dir} (see {@link WorkingTree#export}). */
  public void exportHead(Path dir) throws GitException {
    WorkingTree.export(git.getRepository(), dir);
  }

  /**
   * Copies every object file this repository shares with another by a hard link (see {@link
   * LocalOrigins#ownObjects}); returns how many.
   */
  public int ownObjects() throws GitException {
    return LocalOrigins.ownObjects(git.getRepository().getDirectory().toPath().resolve("objects"));
  }

  public String originUrl() {
    return git.getRepository().getConfig().getString("remote", "origin", "url");
  }

  @Override
  public void close() {
    git.close();
  }

  private static GitException wrap(String what, GitAPIException e) {
    boolean network = e instanceof TransportException && GitTransport.isNetwork(e);
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new GitException(what + ": " + detail, network, e);
  }
}
