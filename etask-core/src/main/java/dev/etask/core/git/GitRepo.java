package dev.etask.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.etask.core.workspace.FileTrees;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.RebaseCommand;
import org.eclipse.jgit.api.RebaseResult;
import org.eclipse.jgit.api.ResetCommand.ResetType;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.io.DisabledOutputStream;

/** The task's clone, through JGit. Every commit carries the trailer {@code Etask-Task: <id>}. */
public final class GitRepo implements AutoCloseable {
  public static final String TRAILER = "Etask-Task";
  private static final int TIMEOUT_SECONDS = 120;

  private final Git git;
  /** Where fetches and pushes go; null for a repository only read and changed locally. */
  private final Origin origin;

  private GitRepo(Git git, Origin origin) {
    this.git = git;
    this.origin = origin;
  }

  /** Opens a repository for local work only (no fetch, no push). */
  public static GitRepo open(Path dir) throws GitException {
    return open(dir, null);
  }

  /** Opens the task's clone; fetches and pushes go to {@code origin} (the clone itself has no remote). */
  public static GitRepo open(Path dir, Origin origin) throws GitException {
    try {
      return new GitRepo(Git.open(dir.toFile(), NoHooks.fs()), origin);
    } catch (IOException e) {
      throw new GitException("cannot open the clone in " + dir + ": " + e.getMessage(), false, e);
    }
  }

  /** A local copy of the repository at {@code path} (a folder or bare repository), for local work only. */
  public static GitRepo cloneFrom(String path, Path dir) throws GitException {
    return cloneFrom(Origin.local(path), dir);
  }

  /**
   * Clones {@code origin} into {@code dir} (which must not exist yet), then removes the clone's
   * remote: nothing inside the clone knows where the origin is or how to log in to it, so a
   * generator cannot push, and no credential is ever written to {@code .git/config}.
   */
  public static GitRepo cloneFrom(Origin origin, Path dir) throws GitException {
    try {
      // every tag too: version tools (setuptools-scm) read them when the project is installed
      Git cloned = Git.cloneRepository().setFs(NoHooks.fs()).setURI(origin.url()).setDirectory(dir.toFile())
          .setCloneAllBranches(true)
          .setTagOption(TagOpt.FETCH_TAGS).setCredentialsProvider(origin.credentials()).setTimeout(TIMEOUT_SECONDS)
          .call();
      StoredConfig config = cloned.getRepository().getConfig();
      config.unsetSection("remote", "origin");
      for (String branch : config.getSubsections("branch")) {
        config.unset("branch", branch, "remote");
        config.unset("branch", branch, "merge");
      }
      config.save();
      return new GitRepo(cloned, origin);
    } catch (GitAPIException e) {
      throw wrap("cannot clone " + origin.url(), e);
    } catch (IOException e) {
      throw new GitException("cannot write the clone's configuration: " + e.getMessage(), false, e);
    }
  }

  /** Makes a bare repository at {@code bare} holding one commit of {@code folder}'s files, on {@code main}. */
  public static void createOriginFrom(Path folder, Path bare, PersonIdent ident) throws GitException {
    Path staging = bare.resolveSibling(bare.getFileName() + ".staging");
    try {
      FileTrees.delete(staging);
      FileTrees.copy(folder, staging);
      try (Git work = Git.init().setDirectory(staging.toFile()).setInitialBranch("main").call()) {
        work.add().addFilepattern(".").call();
        work.commit().setMessage("Import " + folder.getFileName()).setAuthor(ident).setCommitter(ident)
            .setNoVerify(true).setSign(false).call();
      }
      try (Git cloned = Git.cloneRepository().setBare(true).setURI(staging.toUri().toString())
          .setDirectory(bare.toFile()).call()) {
        cloned.getRepository().getConfig().unsetSection("remote", "origin");
        cloned.getRepository().getConfig().save();
      }
    } catch (GitAPIException | IOException e) {
      throw new GitException("cannot create a local origin from " + folder + ": " + e.getMessage(), false, e);
    } finally {
      try {
        FileTrees.delete(staging);
      } catch (IOException e) {
        // leftover staging folder: harmless, replaced next time
      }
    }
  }

  /** True when {@code dir} is a git repository (working tree or bare). */
  public static boolean isRepository(Path dir) {
    return Files.isDirectory(dir.resolve(".git"))
        || (Files.isRegularFile(dir.resolve("HEAD")) && Files.isDirectory(dir.resolve("objects")));
  }

  public Repository repository() {
    return git.getRepository();
  }

  private Origin origin() throws GitException {
    if (origin == null) {
      throw new GitException("this repository was opened without an origin", false, null);
    }
    return origin;
  }

  /**
   * What a fetch saw: the origin's branch tips ({@code refs/heads/x} → SHA), and the branches someone
   * moved to a commit made in this clone but not by etask, as {@code refs/heads/main → 1a2b3c4}.
   */
  public record Fetched(Map<String, String> tips, List<String> pushedFromHere) {}

  /**
   * Fetches every branch of the origin into {@code refs/remotes/origin/*} and names the branches that
   * someone moved to a commit made in this clone but not by etask ({@code etaskMade} says which commits
   * etask made): nobody but a process running inside the clone could have pushed those. {@code known}
   * are the tips etask saw last (kept outside the clone, so nothing in it can hide a push); empty means
   * the clone's own remote-tracking branches.
   */
  public Fetched fetch(Map<String, String> known, java.util.function.Predicate<ObjectId> etaskMade)
      throws GitException {
    Repository repo = git.getRepository();
    List<String> pushedFromHere = new ArrayList<>();
    Map<String, String> tips = new java.util.TreeMap<>();
    try {
      Collection<Ref> remote = git.lsRemote().setRemote(origin().url()).setHeads(true)
          .setCredentialsProvider(origin.credentials()).setTimeout(TIMEOUT_SECONDS).call();
      Map<String, ObjectId> before = new LinkedHashMap<>();
      if (known.isEmpty()) {
        for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_REMOTES + "origin/")) {
          if (r.getObjectId() != null) {
            before.put(Constants.R_HEADS + r.getName().substring((Constants.R_REMOTES + "origin/").length()),
                r.getObjectId());
          }
        }
      } else {
        known.forEach((k, v) -> before.put(k, ObjectId.fromString(v)));
      }
      try (RevWalk walk = new RevWalk(repo)) {
        for (Ref r : remote) {
          ObjectId now = r.getObjectId();
          if (now != null) {
            tips.put(r.getName(), now.name());
          }
          if (now == null || now.equals(before.get(r.getName())) || etaskMade.test(now)
              || !repo.getObjectDatabase().has(now)) {
            continue;
          }
          RevCommit candidate = walk.parseCommit(now);
          boolean fetchedBefore = false;
          for (ObjectId k : before.values()) {
            if (repo.getObjectDatabase().has(k) && walk.isMergedInto(candidate, walk.parseCommit(k))) {
              fetchedBefore = true;
              break;
            }
          }
          if (!fetchedBefore) {
            pushedFromHere.add(r.getName() + " → " + now.abbreviate(7).name());
          }
        }
      }
      git.fetch().setRemote(origin.url())
          .setRefSpecs(new RefSpec("+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + "origin/*"))
          .setRemoveDeletedRefs(true).setTagOpt(TagOpt.FETCH_TAGS).setCredentialsProvider(origin.credentials())
          .setTimeout(TIMEOUT_SECONDS).call();
      return new Fetched(tips, pushedFromHere);
    } catch (GitAPIException e) {
      throw wrap("cannot fetch from " + origin.url(), e);
    } catch (IOException e) {
      throw new GitException("cannot compare the origin's branches with the clone: " + e.getMessage(), false, e);
    }
  }

  /** Fetches every branch of the origin, checking nothing (see {@link #fetch(Map, java.util.function.Predicate)}). */
  public void fetch() throws GitException {
    fetch(Map.of(), id -> true);
  }

  /** The origin's default branch (what its HEAD points at), or null when it cannot be told. */
  public String remoteDefaultBranch() throws GitException {
    try {
      Collection<Ref> refs = git.lsRemote().setRemote(origin().url()).setCredentialsProvider(origin.credentials())
          .setTimeout(TIMEOUT_SECONDS).call();
      Ref head = null;
      for (Ref r : refs) {
        if (r.getName().equals(Constants.HEAD)) {
          head = r;
        }
      }
      if (head == null) {
        return null;
      }
      if (head.isSymbolic()) {
        return Repository.shortenRefName(head.getTarget().getName());
      }
      for (String preferred : List.of("main", "master")) {
        for (Ref r : refs) {
          if (r.getName().equals(Constants.R_HEADS + preferred) && r.getObjectId().equals(head.getObjectId())) {
            return preferred;
          }
        }
      }
      for (Ref r : refs) {
        if (r.getName().startsWith(Constants.R_HEADS) && r.getObjectId().equals(head.getObjectId())) {
          return Repository.shortenRefName(r.getName());
        }
      }
      return null;
    } catch (GitAPIException e) {
      throw wrap("cannot list the origin's branches", e);
    }
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
        git.checkout().setName(branch).setCreateBranch(true).setForced(true).setForceRefUpdate(true)
            .setStartPoint(start.name()).call();
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
    return diffAgainstHead(false);
  }

  /** Line statistics of the working tree (untracked files included, ignored ones not) against HEAD; changes nothing. */
  public DiffStats workingTreeDiff() throws GitException {
    return diffAgainstHead(true);
  }

  private DiffStats diffAgainstHead(boolean workingTree) throws GitException {
    Repository repo = git.getRepository();
    try (ObjectReader reader = repo.newObjectReader();
        DiffFormatter fmt = new DiffFormatter(DisabledOutputStream.INSTANCE)) {
      fmt.setRepository(repo);
      CanonicalTreeParser headTree = new CanonicalTreeParser();
      ObjectId tree = resolve("HEAD^{tree}");
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

  private static DiffStats stats(DiffFormatter fmt, List<DiffEntry> entries) throws IOException {
    int added = 0;
    int removed = 0;
    Map<String, List<Integer>> addedLines = new LinkedHashMap<>();
    for (DiffEntry e : entries) {
      List<Integer> lines = new ArrayList<>();
      for (Edit edit : fmt.toFileHeader(e).toEditList()) {
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
    return new DiffStats(entries.size(), added, removed, addedLines);
  }

  /** Commits the index; the message gets the task trailer. Hooks never run. */
  public ObjectId commit(String message, String taskId, PersonIdent ident) throws GitException {
    return commit(message, taskId, Map.of(), ident);
  }

  /** Commits the index with the task trailer and {@code extraTrailers} (name → value). Hooks never run. */
  public ObjectId commit(String message, String taskId, Map<String, String> extraTrailers, PersonIdent ident)
      throws GitException {
    StringBuilder m = new StringBuilder(message.strip()).append("\n\n").append(TRAILER).append(": ").append(taskId)
        .append('\n');
    extraTrailers.forEach((k, v) -> m.append(k).append(": ").append(v).append('\n'));
    try {
      RevCommit c = git.commit().setMessage(m.toString()).setAllowEmpty(false)
          .setAuthor(ident).setCommitter(ident).setNoVerify(true).setSign(false).call();
      return c.getId();
    } catch (GitAPIException e) {
      throw new GitException("cannot commit: " + e.getMessage(), false, e);
    }
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
   * Makes {@code branch} point at a new commit on top of {@code base} that adds {@code files}
   * (repository path → content), without touching the working tree or the current branch.
   */
  public ObjectId commitFilesOnto(String branch, ObjectId base, Map<String, String> files, String message,
      String taskId, PersonIdent ident) throws GitException {
    Repository repo = git.getRepository();
    try (ObjectInserter ins = repo.newObjectInserter(); RevWalk walk = new RevWalk(repo)) {
      RevCommit parent = walk.parseCommit(base);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      builder.addTree(new byte[0], 0, repo.newObjectReader(), parent.getTree());
      for (Map.Entry<String, String> f : files.entrySet()) {
        DirCacheEntry e = new DirCacheEntry(f.getKey());
        e.setFileMode(org.eclipse.jgit.lib.FileMode.REGULAR_FILE);
        e.setObjectId(ins.insert(Constants.OBJ_BLOB, f.getValue().getBytes(StandardCharsets.UTF_8)));
        builder.add(e);
      }
      builder.finish();
      ObjectId tree = index.writeTree(ins);
      org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
      cb.setTreeId(tree);
      cb.setParentId(parent);
      cb.setAuthor(ident);
      cb.setCommitter(ident);
      cb.setMessage(message.strip() + "\n\n" + TRAILER + ": " + taskId + "\n");
      ObjectId commit = ins.insert(cb);
      ins.flush();
      org.eclipse.jgit.lib.RefUpdate ru = repo.updateRef(Constants.R_HEADS + branch);
      ru.setNewObjectId(commit);
      ru.setForceUpdate(true);
      org.eclipse.jgit.lib.RefUpdate.Result r = ru.update();
      if (r != org.eclipse.jgit.lib.RefUpdate.Result.NEW && r != org.eclipse.jgit.lib.RefUpdate.Result.FORCED
          && r != org.eclipse.jgit.lib.RefUpdate.Result.FAST_FORWARD) {
        throw new GitException("cannot update " + branch + ": " + r, false, null);
      }
      return commit;
    } catch (IOException e) {
      throw new GitException("cannot commit onto " + branch + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * The files of {@code .git} a generator could use to run code or redirect etask later: config,
   * hooks and info/. Compare two snapshots to catch a change; {@link #restoreControlFiles} undoes it.
   */
  public Map<String, byte[]> controlFiles() throws GitException {
    Path gitDir = git.getRepository().getDirectory().toPath();
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try {
      for (String name : List.of("config", "HEAD")) {
        Path p = gitDir.resolve(name);
        if (Files.isRegularFile(p)) {
          out.put(name, Files.readAllBytes(p));
        }
      }
      for (String folder : List.of("hooks", "info")) {
        Path d = gitDir.resolve(folder);
        if (Files.isDirectory(d)) {
          try (var walk = Files.walk(d)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
              out.put(gitDir.relativize(p).toString() + (Files.isExecutable(p) ? " (x)" : ""), Files.readAllBytes(p));
            }
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot read " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /** The names whose content differs between two {@link #controlFiles} snapshots. */
  public static List<String> changedControlFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    return names.stream().filter(n -> !java.util.Arrays.equals(before.get(n), after.get(n))).toList();
  }

  /** Puts config, hooks and info/ back as they were in {@code snapshot}. */
  public void restoreControlFiles(Map<String, byte[]> snapshot) throws GitException {
    Path gitDir = git.getRepository().getDirectory().toPath();
    try {
      Map<String, byte[]> now = controlFiles();
      for (String name : now.keySet()) {
        if (!snapshot.containsKey(name)) {
          Files.deleteIfExists(gitDir.resolve(name.replace(" (x)", "")));
        }
      }
      for (Map.Entry<String, byte[]> e : snapshot.entrySet()) {
        Path p = gitDir.resolve(e.getKey().replace(" (x)", ""));
        Files.createDirectories(p.getParent());
        Files.write(p, e.getValue());
        p.toFile().setExecutable(e.getKey().endsWith(" (x)"));
      }
      git.getRepository().getConfig().load();
    } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException e) {
      throw new GitException("cannot restore " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /** Puts the working tree and index back to HEAD exactly: tracked files restored, untracked ones removed. */
  public void restore() throws GitException {
    try {
      git.reset().setMode(ResetType.HARD).setRef(Constants.HEAD).call();
      git.clean().setCleanDirectories(true).setForce(true).call();
    } catch (GitAPIException e) {
      throw new GitException("cannot restore the working tree: " + e.getMessage(), false, e);
    }
  }

  /** The commit the origin's {@code branch} holds right now (asks the origin), or null when absent. */
  public ObjectId remoteHead(String branch) throws GitException {
    try {
      for (Ref r : git.lsRemote().setRemote(origin().url()).setHeads(true).setCredentialsProvider(origin.credentials())
          .setTimeout(TIMEOUT_SECONDS).call()) {
        if (r.getName().equals(Constants.R_HEADS + branch)) {
          return r.getObjectId();
        }
      }
      return null;
    } catch (GitAPIException e) {
      throw wrap("cannot ask the origin for " + branch, e);
    }
  }

  /** Pushes {@code branch} to the origin as a fast-forward; every ref update's status is checked. */
  public void push(String branch) throws GitException {
    push(branch, null);
  }

  /**
   * Pushes {@code branch} to the origin. With {@code expectedRemote} the push may replace the
   * origin's branch, but only while it still holds exactly that commit (a lease on the full ref
   * name); without it only a fast-forward is allowed. Every ref update's status is checked.
   */
  public void push(String branch, ObjectId expectedRemote) throws GitException {
    String ref = Constants.R_HEADS + branch;
    try {
      var push = git.push().setRemote(origin().url()).setCredentialsProvider(origin.credentials())
          .setTimeout(TIMEOUT_SECONDS).setRefSpecs(new RefSpec((expectedRemote != null ? "+" : "") + ref + ":" + ref));
      if (expectedRemote != null) {
        push.setRefLeaseSpecs(new org.eclipse.jgit.transport.RefLeaseSpec(ref, expectedRemote.name()));
      }
      Iterable<PushResult> results = push.call();
      for (PushResult r : results) {
        for (RemoteRefUpdate u : r.getRemoteUpdates()) {
          if (u.getStatus() != RemoteRefUpdate.Status.OK && u.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE) {
            throw new GitException("the origin refused " + branch + ": " + u.getStatus()
                + (u.getMessage() == null ? "" : " (" + u.getMessage() + ")"), false, null);
          }
        }
      }
    } catch (GitAPIException e) {
      throw wrap("cannot push " + branch, e);
    }
  }

  /** Rebases the current branch on {@code upstream}; on a conflict the rebase is aborted and the files returned. */
  public List<String> rebase(ObjectId upstream) throws GitException {
    try {
      RebaseResult r = git.rebase().setUpstream(upstream).call();
      if (r.getStatus().isSuccessful()) {
        return List.of();
      }
      Set<String> conflicts = new LinkedHashSet<>();
      if (r.getConflicts() != null) {
        conflicts.addAll(r.getConflicts());
      }
      if (r.getUncommittedChanges() != null) {
        conflicts.addAll(r.getUncommittedChanges());
      }
      if (r.getFailingPaths() != null) {
        conflicts.addAll(r.getFailingPaths().keySet());
      }
      if (conflicts.isEmpty()) {
        conflicts.addAll(git.status().call().getConflicting());
      }
      git.rebase().setOperation(RebaseCommand.Operation.ABORT).call();
      if (conflicts.isEmpty()) {
        conflicts.add("(rebase " + r.getStatus() + ")");
      }
      return List.copyOf(conflicts);
    } catch (GitAPIException e) {
      throw new GitException("cannot rebase: " + e.getMessage(), false, e);
    }
  }

  /**
   * Puts the clone's control files back to what etask made them, whatever a generator (or an earlier,
   * killed run) left: {@code .git/config} keeps only the core settings and extensions (no remote, no
   * hooksPath, no filter, no include, no user), {@code hooks/} is emptied, {@code info/} holds only etask's
   * exclude list. Returns what it had to put back, for the log.
   */
  public List<String> sanitize(List<String> excludes) throws GitException {
    return sanitize(excludes, null);
  }

  /**
   * {@link #sanitize(List)}, with {@code identity} as the clone's user: what JGit's rebase writes as the
   * committer of the commits it replays (they stay etask's).
   */
  public List<String> sanitize(List<String> excludes, PersonIdent identity) throws GitException {
    Repository repo = git.getRepository();
    Path gitDir = repo.getDirectory().toPath();
    List<String> fixed = new ArrayList<>();
    try {
      StoredConfig config = repo.getConfig();
      config.load();
      org.eclipse.jgit.lib.Config clean = new org.eclipse.jgit.lib.Config();
      for (String key : List.of("repositoryformatversion", "filemode", "logallrefupdates", "precomposeunicode",
          "ignorecase", "symlinks")) {
        String v = config.getString("core", null, key);
        if (v != null) {
          clean.setString("core", null, key, v);
        }
      }
      clean.setBoolean("core", null, "bare", false);
      if (identity != null) {
        clean.setString("user", null, "name", identity.getName());
        clean.setString("user", null, "email", identity.getEmailAddress());
      }
      for (String key : config.getNames("extensions")) {
        clean.setString("extensions", null, key, config.getString("extensions", null, key));
      }
      if (!clean.toText().equals(config.toText())) {
        fixed.add("config");
        Files.writeString(gitDir.resolve("config"), clean.toText(), StandardCharsets.UTF_8);
        config.load();
      }
      Path hooks = gitDir.resolve("hooks");
      if (Files.isDirectory(hooks)) {
        try (var files = Files.list(hooks)) {
          for (Path h : files.toList()) {
            if (!h.getFileName().toString().endsWith(".sample")) {
              fixed.add("hooks/" + h.getFileName());
            }
            FileTrees.delete(h);
          }
        }
      }
      Path info = gitDir.resolve("info");
      Files.createDirectories(info);
      String exclude = String.join("\n", excludes) + "\n";
      Path excludeFile = info.resolve("exclude");
      try (var files = Files.list(info)) {
        for (Path f : files.toList()) {
          if (!f.equals(excludeFile)) {
            fixed.add("info/" + f.getFileName());
            FileTrees.delete(f);
          }
        }
      }
      if (!Files.exists(excludeFile) || !Files.readString(excludeFile, StandardCharsets.UTF_8).equals(exclude)) {
        Files.writeString(excludeFile, exclude, StandardCharsets.UTF_8);
      }
      return fixed;
    } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException e) {
      throw new GitException("cannot restore " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /** Adds patterns to {@code .git/info/exclude}, so tool by-products never show as changes. */
  public void excludeLocally(List<String> patterns) throws GitException {
    Path exclude = git.getRepository().getDirectory().toPath().resolve("info").resolve("exclude");
    try {
      Files.createDirectories(exclude.getParent());
      String existing = Files.exists(exclude) ? Files.readString(exclude, StandardCharsets.UTF_8) : "";
      StringBuilder b = new StringBuilder(existing);
      for (String p : patterns) {
        if (!existing.lines().anyMatch(l -> l.equals(p))) {
          if (b.length() > 0 && b.charAt(b.length() - 1) != '\n') {
            b.append('\n');
          }
          b.append(p).append('\n');
        }
      }
      Files.writeString(exclude, b.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new GitException("cannot write " + exclude + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * The lock files git keeps in {@code .git} while it changes something ({@code index.lock},
   * {@code HEAD.lock}, {@code config.lock}, {@code packed-refs.lock}, {@code refs/**}{@code .lock}). One
   * that outlives its process blocks every later git operation on the clone.
   */
  public List<Path> lockFiles() throws GitException {
    Path gitDir = git.getRepository().getDirectory().toPath();
    List<Path> out = new ArrayList<>();
    for (String name : List.of("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock")) {
      if (Files.exists(gitDir.resolve(name))) {
        out.add(gitDir.resolve(name));
      }
    }
    if (Files.isDirectory(gitDir.resolve("refs"))) {
      try (var walk = Files.walk(gitDir.resolve("refs"))) {
        walk.filter(p -> p.getFileName().toString().endsWith(".lock")).forEach(out::add);
      } catch (IOException e) {
        throw new GitException("cannot read " + gitDir.resolve("refs") + ": " + e.getMessage(), false, e);
      }
    }
    return out;
  }

  /**
   * Files git ignores in the working tree whose paths pass {@code wanted} (folders are offered with a
   * trailing {@code /} and entered only when wanted): build outputs such as compiled extension modules
   * or generated version files, which a copy of HEAD lacks.
   */
  public List<String> ignoredFiles(java.util.function.Predicate<String> wanted) throws GitException {
    List<String> out = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(git.getRepository())) {
      org.eclipse.jgit.treewalk.FileTreeIterator files = new org.eclipse.jgit.treewalk.FileTreeIterator(
          git.getRepository());
      walk.addTree(files);
      walk.setRecursive(false);
      while (walk.next()) {
        org.eclipse.jgit.treewalk.WorkingTreeIterator it = walk.getTree(0, org.eclipse.jgit.treewalk.WorkingTreeIterator.class);
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

  public String originUrl() {
    return git.getRepository().getConfig().getString("remote", "origin", "url");
  }

  @Override
  public void close() {
    git.close();
  }

  private static GitException wrap(String what, GitAPIException e) {
    boolean network = e instanceof TransportException && isNetwork(e);
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new GitException(what + ": " + detail, network, e);
  }

  /** Connection refused or reset, timeouts, unknown hosts, HTTP 5xx: worth another try. */
  static boolean isNetwork(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.UnknownHostException || t instanceof java.net.SocketException) {
        return true;
      }
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
      if (m.contains("connection refused") || m.contains("connection reset") || m.contains("timed out")
          || m.contains(" 502 ") || m.contains(" 503 ") || m.contains(" 504 ") || m.contains("500 internal")) {
        return true;
      }
    }
    return false;
  }
}
