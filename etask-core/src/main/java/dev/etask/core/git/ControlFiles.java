package dev.etask.core.git;

import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;

/**
 * The files of a clone's {@code .git} that decide what git does beyond the history: the config, the
 * hooks, {@code info/} and the lock files. A generator could use them to run code or to redirect
 * etask; these methods take snapshots, compare and restore them, and put them back to what etask
 * made.
 */
public final class ControlFiles {
  private final Repository repo;

  /**
   * The single files watched: the config, HEAD, and the state of a merge, cherry-pick, revert or
   * squash in progress (git's next commit would take a MERGE_HEAD left behind as a second parent).
   */
  private static final List<String> WATCHED =
      List.of(
          "config",
          "HEAD",
          "MERGE_HEAD",
          "MERGE_MSG",
          "MERGE_MODE",
          "CHERRY_PICK_HEAD",
          "REVERT_HEAD",
          "SQUASH_MSG");

  public ControlFiles(GitRepo git) {
    this.repo = git.repository();
  }

  /**
   * The files of {@code .git} a generator could use to run code or redirect etask later: config,
   * HEAD, a merge or pick in progress, hooks and info/. Compare two snapshots to catch a change;
   * {@link #restoreControlFiles} undoes it.
   */
  public Map<String, byte[]> snapshot() throws GitException {
    Path gitDir = repo.getDirectory().toPath();
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try {
      for (String name : WATCHED) {
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
              out.put(
                  gitDir.relativize(p).toString() + (Files.isExecutable(p) ? " (x)" : ""),
                  Files.readAllBytes(p));
            }
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new GitException("cannot read " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /** The names whose content differs between two {@link #snapshot} snapshots. */
  public static List<String> changed(Map<String, byte[]> before, Map<String, byte[]> after) {
    java.util.TreeSet<String> names = new java.util.TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    return names.stream()
        .filter(n -> !java.util.Arrays.equals(before.get(n), after.get(n)))
        .toList();
  }

  /** Puts config, hooks and info/ back as they were in {@code snapshot}. */
  public void restore(Map<String, byte[]> snapshot) throws GitException {
    Path gitDir = repo.getDirectory().toPath();
    try {
      Map<String, byte[]> now = snapshot();
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
      repo.getConfig().load();
    } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException e) {
      throw new GitException("cannot restore " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * Puts the clone's control files back to what etask made them, whatever a generator (or an
   * earlier, killed run) left: {@code .git/config} keeps only the core settings and extensions (no
   * remote, no hooksPath, no filter, no include, no user), {@code hooks/} is emptied, {@code info/}
   * holds only etask's exclude list. Returns what it had to put back, for the log.
   */
  public List<String> sanitize(List<String> excludes) throws GitException {
    return sanitize(excludes, null);
  }

  /**
   * {@link #sanitize(List)}, with {@code identity} as the clone's user: what JGit's rebase writes
   * as the committer of the commits it replays (they stay etask's).
   */
  public List<String> sanitize(List<String> excludes, PersonIdent identity) throws GitException {
    Path gitDir = repo.getDirectory().toPath();
    List<String> fixed = new ArrayList<>();
    try {
      if (cleanConfig(gitDir, identity)) {
        fixed.add("config");
      }
      fixed.addAll(cleanHooksAndInfo(gitDir, excludes));
      return fixed;
    } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException e) {
      throw new GitException("cannot restore " + gitDir + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * The clone's config reduced to what a checkout needs (core's format keys, the extensions, and
   * {@code identity} as its user); true when it held anything else.
   */
  private boolean cleanConfig(Path gitDir, PersonIdent identity)
      throws IOException, org.eclipse.jgit.errors.ConfigInvalidException {
    StoredConfig config = repo.getConfig();
    config.load();
    org.eclipse.jgit.lib.Config clean = new org.eclipse.jgit.lib.Config();
    for (String key :
        List.of(
            "repositoryformatversion",
            "filemode",
            "logallrefupdates",
            "precomposeunicode",
            "ignorecase",
            "symlinks")) {
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
    if (clean.toText().equals(config.toText())) {
      return false;
    }
    Files.writeString(gitDir.resolve("config"), clean.toText(), StandardCharsets.UTF_8);
    config.load();
    return true;
  }

  /** Hooks removed, {@code info/} holding only etask's excludes; returns what was there. */
  private static List<String> cleanHooksAndInfo(Path gitDir, List<String> excludes)
      throws IOException {
    List<String> fixed = new ArrayList<>();
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
    if (!Files.exists(excludeFile)
        || !Files.readString(excludeFile, StandardCharsets.UTF_8).equals(exclude)) {
      Files.writeString(excludeFile, exclude, StandardCharsets.UTF_8);
    }
    return fixed;
  }

  /**
   * The lock files git keeps in {@code .git} while it changes something ({@code index.lock}, {@code
   * HEAD.lock}, {@code config.lock}, {@code packed-refs.lock}, {@code refs/**}{@code .lock}). One
   * that outlives its process blocks every later git operation on the clone.
   */
  public List<Path> lockFiles() throws GitException {
    Path gitDir = repo.getDirectory().toPath();
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
        throw new GitException(
            "cannot read " + gitDir.resolve("refs") + ": " + e.getMessage(), false, e);
      }
    }
    return out;
  }
}
