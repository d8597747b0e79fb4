package dev.etask.core.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The submodules of a tree (its gitlinks, named in {@code .gitmodules}). etask checks out the ones
 * it can fetch when it clones, and holds each at the commit its gitlink names: its files are never
 * part of a batch, and a batch changes a gitlink only by moving a checked-out submodule to another
 * commit (where the allowlist allows the path). A submodule is always opened at its repository
 * under the clone's {@code .git/modules}, never through the {@code .git} file in its folder, which
 * a generator could rewrite.
 */
public final class Submodules {
  private static final long FETCH_SECONDS = 600;

  private Submodules() {}

  /** A gitlink of a tree: its path, the name and URL {@code .gitmodules} gives it, its commit. */
  public record Declared(String path, String name, String url, ObjectId commit) {}

  /** The gitlinks of {@code tree}, with what {@code .gitmodules} says of them (null if nothing). */
  public static List<Declared> of(Repository repo, ObjectId tree) throws GitException {
    List<Declared> out = new ArrayList<>();
    Config modules = new Config();
    try (TreeWalk walk = new TreeWalk(repo)) {
      walk.addTree(tree);
      walk.setRecursive(true);
      List<String[]> links = new ArrayList<>();
      while (walk.next()) {
        if (walk.getFileMode(0) == FileMode.GITLINK) {
          links.add(new String[] {walk.getPathString(), walk.getObjectId(0).name()});
        } else if (walk.getPathString().equals(Constants.DOT_GIT_MODULES)) {
          modules.fromText(
              new String(repo.open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
        }
      }
      for (String[] l : links) {
        String name = null;
        for (String n : modules.getSubsections("submodule")) {
          if (l[0].equals(modules.getString("submodule", n, "path"))) {
            name = n;
          }
        }
        out.add(
            new Declared(
                l[0],
                name,
                name == null ? null : modules.getString("submodule", name, "url"),
                ObjectId.fromString(l[1])));
      }
    } catch (IOException | ConfigInvalidException e) {
      throw new GitException("cannot read the submodules: " + e.getMessage(), false, e);
    }
    return out;
  }

  /**
   * Checks out submodule {@code d} of the clone at {@code clone} with the git command line (no
   * hooks, no prompt, no credentials; local paths only when {@code localPaths}); null when done,
   * else why not, in git's words. A relative URL is the origin's ({@code origin}) neighbour, as git
   * reads it.
   */
  public static String checkOut(Path clone, Declared d, String origin) {
    if (d.name() == null || d.url() == null) {
      return ".gitmodules declares no URL for it";
    }
    boolean localPaths = localOrigin(origin);
    String url = resolve(origin, d.url());
    List<String> argv =
        List.of(
            "git",
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "protocol.file.allow=" + (localPaths ? "always" : "never"),
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "submodule." + d.name() + ".url=" + url,
            "submodule",
            "update",
            "--init",
            "--",
            d.path());
    CliClone.Result r = CliClone.run(argv, clone, FETCH_SECONDS);
    if (r.ok() && Files.exists(gitDir(clone, d.name()).resolve("HEAD"))) {
      return null;
    }
    String failure = r.output().strip();
    for (String line : failure.split("\n")) {
      if (line.startsWith("fatal: ")) {
        return line.substring("fatal: ".length());
      }
    }
    return failure.isEmpty() ? "git failed" : failure.split("\n")[0];
  }

  /** {@code url} of a submodule, a relative one read against the origin's URL {@code origin}. */
  static String resolve(String origin, String url) {
    if (!url.startsWith("./") && !url.startsWith("../")) {
      return url;
    }
    Path local = CliClone.localPath(origin);
    if (local != null) {
      return local.resolve(url).normalize().toString();
    }
    try {
      String base = origin.endsWith("/") ? origin : origin + "/";
      return java.net.URI.create(base).resolve(url).toString();
    } catch (IllegalArgumentException e) {
      return url; // an scp-like address (git@host:path): git reads it
    }
  }

  /**
   * True when {@code url}, an origin's, is a folder on this machine (its submodules may be too).
   */
  public static boolean localOrigin(String url) {
    Path p = url.matches("^[\\w.-]+@[^:/]+:.*") ? null : CliClone.localPath(url);
    return p != null && Files.isDirectory(p);
  }

  /** {@code url} without a user or password in it, for the log. */
  public static String shown(String url) {
    return url == null ? null : url.replaceAll("//[^/@]+@", "//");
  }

  /** The repository of submodule {@code name} of the clone at {@code clone}. */
  public static Path gitDir(Path clone, String name) {
    return clone.resolve(".git").resolve("modules").resolve(name);
  }

  /** What a checked-out submodule's folder holds against the commit {@code want}. */
  public sealed interface State {}

  /** As its gitlink names it. */
  public record Same() implements State {}

  /** Another commit, checked out cleanly. */
  public record Moved(ObjectId commit) implements State {}

  /** Files changed, added or removed, or its {@code .git} file rewritten. */
  public record Edited() implements State {}

  /** The state of the submodule at {@code folder}, whose repository is {@code gitDir}. */
  static State state(Path folder, Path gitDir, ObjectId want) throws GitException {
    if (!pointsAt(folder, gitDir)) {
      return new Edited();
    }
    try (Repository r = open(folder, gitDir);
        Git g = new Git(r)) {
      ObjectId head = r.resolve(Constants.HEAD);
      org.eclipse.jgit.api.Status status = g.status().call();
      if (!status.isClean() || !status.getIgnoredNotInIndex().isEmpty()) {
        return new Edited();
      }
      return want.equals(head) ? new Same() : new Moved(head);
    } catch (IOException | GitAPIException | RuntimeException e) {
      throw new GitException(
          "cannot read the submodule at " + folder + ": " + e.getMessage(), false, e);
    }
  }

  /**
   * Puts the submodule at {@code folder} back to {@code want}: its {@code .git} file, its files,
   * nothing else in it. False when its repository lacks the commit.
   */
  static boolean reset(Path folder, Path gitDir, ObjectId want) throws GitException {
    try {
      Path dotGit = folder.resolve(Constants.DOT_GIT);
      if (!pointsAt(folder, gitDir)) {
        if (Files.isDirectory(dotGit, LinkOption.NOFOLLOW_LINKS)) {
          try (var walk = Files.walk(dotGit)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
        }
        Files.deleteIfExists(dotGit);
        Files.writeString(dotGit, "gitdir: " + folder.relativize(gitDir) + "\n");
      }
      try (Repository r = open(folder, gitDir);
          Git g = new Git(r)) {
        if (!r.getObjectDatabase().has(want)) {
          return false;
        }
        g.checkout().setName(want.name()).setForced(true).call();
        g.reset().setMode(ResetCommand.ResetType.HARD).setRef(want.name()).call();
        g.clean().setCleanDirectories(true).setIgnore(false).setForce(true).call();
        return true;
      }
    } catch (IOException | GitAPIException | RuntimeException e) {
      throw new GitException(
          "cannot put the submodule at " + folder + " back: " + e.getMessage(), false, e);
    }
  }

  /**
   * The submodules checked out in {@code clone}, by path, with their names: the repositories under
   * its {@code .git/modules} (which only etask's checkout writes: no generator or test can) and the
   * folders they name as their working trees.
   */
  public static Map<String, String> checkedOut(Path root) {
    Path clone = root.toAbsolutePath().normalize();
    Map<String, String> out = new java.util.TreeMap<>();
    Path modules = clone.resolve(".git").resolve("modules");
    if (!Files.isDirectory(modules, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try {
      // a repository's own folders (objects, refs) are never walked: this runs before every gate
      Files.walkFileTree(
          modules,
          java.util.Set.of(),
          8,
          new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(
                Path gitDir, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
              Path config = gitDir.resolve("config");
              if (!Files.isRegularFile(gitDir.resolve("HEAD")) || !Files.isRegularFile(config)) {
                return java.nio.file.FileVisitResult.CONTINUE;
              }
              Config c = new Config();
              try {
                c.fromText(Files.readString(config, StandardCharsets.UTF_8));
              } catch (ConfigInvalidException e) {
                return java.nio.file.FileVisitResult.SKIP_SUBTREE; // git cannot read it either
              }
              String worktree = c.getString("core", null, "worktree");
              Path folder = worktree == null ? null : gitDir.resolve(worktree).normalize();
              if (folder != null && folder.startsWith(clone) && !folder.equals(clone)) {
                out.put(
                    clone.relativize(folder).toString().replace('\\', '/'),
                    modules.relativize(gitDir).toString().replace('\\', '/'));
              }
              return java.nio.file.FileVisitResult.SKIP_SUBTREE;
            }
          });
    } catch (IOException | RuntimeException e) {
      return out; // a module git cannot read is not checked out
    }
    return out;
  }

  private static boolean pointsAt(Path folder, Path gitDir) {
    Path dotGit = folder.resolve(Constants.DOT_GIT);
    try {
      if (!Files.isRegularFile(dotGit, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      String text = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
      if (!text.startsWith("gitdir:")) {
        return false;
      }
      Path target = folder.resolve(text.substring("gitdir:".length()).strip()).normalize();
      return target.equals(gitDir.toAbsolutePath().normalize())
          && Files.isDirectory(gitDir, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static Repository open(Path folder, Path gitDir) throws IOException {
    return new FileRepositoryBuilder()
        .setGitDir(gitDir.toFile())
        .setWorkTree(folder.toFile())
        .setMustExist(true)
        .build();
  }
}
