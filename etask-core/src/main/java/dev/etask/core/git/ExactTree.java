package dev.etask.core.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * A folder held to a git tree exactly, whatever git's index says (a test can rewrite the index;
 * etask never reads it back): the clone's working tree, or the copy of it a sandboxed measurement
 * runs on. Every file is compared with the tree by content; a file whose size, times, inode and
 * mode are what etask last saw (its inode change time cannot be set back) is not read again.
 *
 * <p>Besides the tree's files the folder may hold the files git ignores that belong to etask
 * ({@code owned}: what the project's install wrote, such as {@code *.egg-info} or an in-place
 * {@code .so}), with the content they had then. Anything else is an extra file.
 */
public final class ExactTree {
  /** A file as etask last saw it, and the blob it held then. */
  private record Seen(String stamp, ObjectId blob, FileMode mode) {}

  private final Path root;
  private final Map<String, ObjectId> owned;
  private final Map<String, String> submodules;
  private final Map<String, Seen> seen = new HashMap<>();
  private ObjectId lastTree;
  private Map<String, Entry> lastEntries;

  /** A file of a tree: its blob and mode. */
  record Entry(ObjectId blob, FileMode mode) {}

  /**
   * {@code root}: the folder; {@code owned}: the ignored files that belong to etask, by path, with
   * the blob id of their content.
   */
  public ExactTree(Path root, Map<String, ObjectId> owned) {
    this(root, owned, Map.of());
  }

  /**
   * {@code submodules}: the submodules checked out in the folder (the clone), by path, with their
   * names: each is held at the commit its gitlink names (see {@link Submodules}).
   */
  public ExactTree(Path root, Map<String, ObjectId> owned, Map<String, String> submodules) {
    this.root = root.toAbsolutePath().normalize();
    this.owned = Map.copyOf(owned);
    this.submodules = Map.copyOf(submodules);
  }

  public Path root() {
    return root;
  }

  /** The ignored files that belong to etask, with the blob id of their content. */
  public Map<String, ObjectId> ownedFiles() {
    return owned;
  }

  /** How the folder differs from {@code tree}. Changes nothing. */
  public TreeDifferences check(Repository repo, ObjectId tree) throws GitException {
    return scan(repo, tree, false, null);
  }

  /**
   * Makes the folder {@code tree} exactly (and the owned files as they were): changed and missing
   * files written from the tree, extra files and folders deleted. Returns what it put right. An
   * owned file that changed cannot be written back: it is reported, and left.
   */
  public TreeDifferences reset(Repository repo, ObjectId tree) throws GitException {
    return scan(repo, tree, true, null);
  }

  /**
   * Makes the folder {@code tree} exactly, taking the files it lacks from {@code from} (a folder
   * held to the same tree just before: the clone, when this is its copy), else from the tree; the
   * owned files are copied from {@code from}.
   */
  public TreeDifferences resetFrom(Repository repo, ObjectId tree, ExactTree from)
      throws GitException {
    return scan(repo, tree, true, from);
  }

  /**
   * The tree of {@code base} with {@code changes} taken from the folder's files as they are now (a
   * deleted file left out): what a generator made, built from its files, never from the index.
   */
  public ObjectId record(Repository repo, ObjectId base, List<Change> changes) throws GitException {
    Map<String, Entry> entries = new TreeMap<>(entries(repo, base));
    try (ObjectInserter inserter = repo.newObjectInserter()) {
      for (Change c : changes) {
        if (c.kind() == Change.Kind.DELETED) {
          entries.remove(c.path());
          continue;
        }
        Entry was = entries.get(c.path());
        if (was != null && was.mode() == FileMode.GITLINK && submodules.containsKey(c.path())) {
          Submodules.State state =
              Submodules.state(root.resolve(c.path()), gitDir(repo, c.path()), was.blob());
          if (!(state instanceof Submodules.Moved moved)) {
            throw new GitException(
                "the submodule " + c.path() + " is not at another commit, cleanly", false, null);
          }
          entries.put(c.path(), new Entry(moved.commit(), FileMode.GITLINK));
          continue;
        }
        Path file = root.resolve(c.path());
        FileMode mode = GitContent.modeOf(file);
        // what git add would store: the repository's eol and filter attributes applied
        byte[] bytes =
            mode == FileMode.SYMLINK
                ? GitContent.content(file, mode)
                : GitContent.clean(repo, c.path(), file);
        ObjectId blob = inserter.insert(Constants.OBJ_BLOB, bytes);
        entries.put(c.path(), new Entry(blob, mode));
        seen.put(c.path(), new Seen(FolderScan.stamp(file), blob, mode));
      }
      ObjectId tree = GitIndex.tree(inserter, entries);
      inserter.flush();
      return tree;
    } catch (IOException | org.eclipse.jgit.dircache.InvalidPathException e) {
      throw new GitException("cannot record the batch's tree: " + e.getMessage(), false, e);
    }
  }

  /**
   * Writes git's index of {@code repo} (whose working tree is this folder) as {@code tree}, with
   * the sizes and times of the files here: git's read commands see the tree as the working tree.
   */
  public void writeIndex(Repository repo, ObjectId tree) throws GitException {
    GitIndex.write(repo, root, entries(repo, tree));
  }

  /** True when git's index of {@code repo} holds exactly {@code tree}. */
  public boolean indexIs(Repository repo, ObjectId tree) throws GitException {
    return GitIndex.holds(repo, entries(repo, tree));
  }

  /** One scan: the tree's files, where they are written from, and what is found. */
  private record Scan(
      Repository repo,
      ObjectReader reader,
      Repository own,
      Map<String, Entry> expected,
      boolean fix,
      ExactTree from,
      TreeDifferences found) {
    Path fromFile(String path) {
      return from == null ? null : from.root.resolve(path);
    }
  }

  private TreeDifferences scan(Repository repo, ObjectId tree, boolean fix, ExactTree from)
      throws GitException {
    Map<String, Entry> expected = entries(repo, tree);
    java.util.Set<String> opaque = new java.util.TreeSet<>();
    expected.forEach(
        (p, e) -> {
          if (e.mode() == FileMode.GITLINK && submodules.containsKey(p)) {
            opaque.add(p);
          }
        });
    // .gitattributes first: how the other files convert their line ends is what it says
    Map<String, Boolean> present = FolderScan.attributesFirst(FolderScan.files(root, opaque));
    IgnoreRules ignores = fix ? null : IgnoreRules.of(repo, root);
    Repository own =
        root.equals(repo.getWorkTree().toPath().toAbsolutePath().normalize()) ? repo : null;
    TreeDifferences found = TreeDifferences.collecting();
    try (ObjectReader reader = repo.newObjectReader()) {
      Scan scan = new Scan(repo, reader, own, expected, fix, from, found);
      for (String path : present.keySet()) {
        present(scan, path, ignores);
      }
      missing(scan, present);
      if (fix && from != null) {
        copyOwned(from);
      }
      for (String p : opaque) {
        submodule(scan, p);
      }
      if (fix) {
        FolderScan.removeEmptyFolders(root, expected.keySet(), owned.keySet(), opaque);
      }
    } catch (IOException e) {
      throw new GitException(
          "cannot compare " + root + " with its tree: " + e.getMessage(), false, e);
    }
    return found;
  }

  /** A file that is there: the tree's, the install's, in a submodule's place, or an extra one. */
  private void present(Scan scan, String path, IgnoreRules ignores) throws IOException {
    TreeDifferences found = scan.found();
    boolean fix = scan.fix();
    Path file = root.resolve(path);
    Entry want = scan.expected().get(path);
    if (want != null && want.mode() != FileMode.GITLINK) {
      if (!same(scan.repo(), path, file, want.blob(), want.mode(), scan.fromFile(path))) {
        found.changed().add(path);
        if (fix) {
          write(scan.reader(), scan.own(), file, want, scan.fromFile(path));
        }
      }
    } else if (owned.containsKey(path)) {
      if (!same(scan.repo(), path, file, owned.get(path), null, null)) {
        found.ownedChanged().add(path);
        if (fix && scan.from() != null) { // a copy's: the clone's is the install's
          delete(file);
        }
      }
    } else if (want != null || FolderScan.inside(path, scan.expected()) != null) {
      // a file where a submodule is, or in its folder (not checked out): never a batch's
      String link = want != null ? path : FolderScan.inside(path, scan.expected());
      if (!found.submodulesEdited().contains(link)) {
        found.submodulesEdited().add(link);
      }
      if (fix) {
        delete(file);
      }
    } else if (fix) {
      found.untracked().add(path);
      delete(file);
    } else if (ignores.ignored(path)) {
      found.ignored().add(path);
    } else {
      found.untracked().add(path);
    }
  }

  /** The tree's files that are not there (written back when fixing). */
  private void missing(Scan scan, Map<String, Boolean> present) throws IOException {
    for (Map.Entry<String, Entry> e : FolderScan.attributesFirst(scan.expected()).entrySet()) {
      if (e.getValue().mode() == FileMode.GITLINK
          || (present.containsKey(e.getKey())
              && Files.exists(root.resolve(e.getKey()), LinkOption.NOFOLLOW_LINKS))) {
        continue;
      }
      scan.found().missing().add(e.getKey());
      if (scan.fix()) {
        write(
            scan.reader(),
            scan.own(),
            root.resolve(e.getKey()),
            e.getValue(),
            scan.fromFile(e.getKey()));
      }
    }
  }

  /** In a copy, the install's files that are missing, from the clone {@code from}. */
  private void copyOwned(ExactTree from) throws IOException {
    for (String path : owned.keySet()) {
      Path source = from.root.resolve(path);
      Path target = root.resolve(path);
      if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)
          && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)
          && GitContent.blobId(source).equals(owned.get(path))) {
        Files.createDirectories(target.getParent());
        Files.copy(source, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        seen.put(path, new Seen(FolderScan.stamp(target), owned.get(path), null));
      }
    }
  }

  /** A checked-out submodule: at its gitlink's commit, moved, or edited (reset when fixing). */
  private void submodule(Scan scan, String p) throws IOException, GitException {
    ObjectId want = scan.expected().get(p).blob();
    Submodules.State state = Submodules.state(root.resolve(p), gitDir(scan.repo(), p), want);
    if (state instanceof Submodules.Same) {
      return;
    }
    (state instanceof Submodules.Moved ? scan.found().changed() : scan.found().submodulesEdited())
        .add(p);
    if (scan.fix()) {
      Files.createDirectories(root.resolve(p));
      Submodules.reset(root.resolve(p), gitDir(scan.repo(), p), want);
    }
  }

  private Path gitDir(Repository repo, String path) {
    return repo.getDirectory().toPath().resolve("modules").resolve(submodules.get(path));
  }

  /**
   * True when {@code file} holds {@code blob} (with {@code mode}, unless null): by what etask saw
   * last when nothing about the file changed since, else by its content, as git reads it (the
   * repository's eol and filter attributes apply in its working tree), or, in a copy, by the bytes
   * of {@code same} (the clone's file it was copied from).
   */
  private boolean same(
      Repository repo, String path, Path file, ObjectId blob, FileMode mode, Path same)
      throws IOException {
    String stamp = FolderScan.stamp(file);
    Seen s = seen.get(path);
    if (s != null && s.stamp().equals(stamp)) {
      return s.blob().equals(blob) && (mode == null || s.mode().equals(mode));
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) {
      return false; // a pipe, a socket, a device: never read (a pipe would wait forever)
    }
    FileMode actual = GitContent.modeOf(file);
    ObjectId id = GitContent.blobId(file);
    if (!id.equals(blob) && actual != FileMode.SYMLINK) {
      if (same != null
          && Files.isRegularFile(same, LinkOption.NOFOLLOW_LINKS)
          && Files.mismatch(file, same) == -1) {
        id = blob; // the clone's own bytes, which its checkout wrote
      } else if (root.equals(repo.getWorkTree().toPath().toAbsolutePath().normalize())) {
        id = GitContent.id(repo, path, id);
      }
    }
    seen.put(path, new Seen(stamp, id, actual));
    return id.equals(blob) && (mode == null || actual.equals(mode));
  }

  /**
   * Writes {@code want} at {@code file}: the bytes of {@code same} when given, else the blob's,
   * with git's checkout conversion of line ends when {@code repo} (the folder is its working tree).
   */
  private void write(ObjectReader reader, Repository repo, Path file, Entry want, Path same)
      throws IOException {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      delete(file);
    } else if (!Files.isDirectory(file.getParent())) {
      Files.createDirectories(file.getParent());
    }
    if (want.mode() == FileMode.SYMLINK) {
      String target =
          new String(reader.open(want.blob()).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
      Files.createSymbolicLink(file, Path.of(target));
    } else {
      if (same != null && Files.isRegularFile(same, LinkOption.NOFOLLOW_LINKS)) {
        Files.copy(same, file); // the clone's file, held to the same tree just before
      } else {
        try (InputStream in = reader.open(want.blob()).openStream()) {
          Files.copy(in, file);
        }
        if (repo != null) {
          GitContent.smudge(repo, root.relativize(file).toString().replace('\\', '/'), file);
        }
      }
      if (want.mode() == FileMode.EXECUTABLE_FILE || Files.isExecutable(file)) {
        file.toFile().setExecutable(want.mode() == FileMode.EXECUTABLE_FILE, false);
      }
    }
    seen.put(
        root.relativize(file).toString(),
        new Seen(FolderScan.stamp(file), want.blob(), want.mode()));
  }

  private void delete(Path file) throws IOException {
    seen.remove(root.relativize(file).toString());
    if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
      file.toFile().setReadable(true, true); // a folder made unreadable still goes
      file.toFile().setExecutable(true, true);
      file.toFile().setWritable(true, true);
      try (var entries = Files.list(file)) {
        for (Path p : entries.toList()) {
          delete(p);
        }
      }
    }
    Files.deleteIfExists(file);
  }

  /** The files of {@code tree} by path (kept for the last tree asked for). */
  private synchronized Map<String, Entry> entries(Repository repo, ObjectId tree)
      throws GitException {
    if (tree.equals(lastTree)) {
      return lastEntries;
    }
    Map<String, Entry> out = new LinkedHashMap<>();
    try (TreeWalk walk = new TreeWalk(repo)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      while (walk.next()) {
        out.put(walk.getPathString(), new Entry(walk.getObjectId(0), walk.getFileMode(0)));
      }
    } catch (IOException e) {
      throw new GitException("cannot read tree " + tree.name() + ": " + e.getMessage(), false, e);
    }
    lastTree = tree.copy();
    lastEntries = out;
    return out;
  }
}
