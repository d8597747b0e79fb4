package dev.etask.core.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jgit.ignore.IgnoreNode;
import org.eclipse.jgit.ignore.IgnoreNode.MatchResult;
import org.eclipse.jgit.lib.Repository;

/**
 * Whether git ignores a path of a working tree: the {@code .gitignore} files on the way to it (the
 * nearest first) and {@code .git/info/exclude}; a path below an ignored folder is ignored. etask's
 * clones have no user or system excludes file.
 */
final class IgnoreRules {
  private final Path root;
  private final IgnoreNode exclude;
  private final Map<String, IgnoreNode> folders = new HashMap<>();

  private IgnoreRules(Path root, IgnoreNode exclude) {
    this.root = root;
    this.exclude = exclude;
  }

  static IgnoreRules of(Repository repo, Path root) {
    IgnoreNode exclude = new IgnoreNode();
    Path file = repo.getDirectory().toPath().resolve("info").resolve("exclude");
    if (Files.isRegularFile(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        exclude.parse(in);
      } catch (IOException e) {
        // git reads no rules from a file it cannot read either
      }
    }
    return new IgnoreRules(root, exclude);
  }

  /** True when git ignores the file {@code path} (from the root, {@code /}-separated). */
  boolean ignored(String path) {
    String[] parts = path.split("/");
    StringBuilder sub = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sub.append('/');
      }
      sub.append(parts[i]);
      if (matches(sub.toString(), i < parts.length - 1)) {
        return true;
      }
    }
    return false;
  }

  private boolean matches(String sub, boolean folder) {
    String parent = parentOf(sub);
    while (true) {
      IgnoreNode node = node(parent);
      if (node != null) {
        String rel = parent.isEmpty() ? sub : sub.substring(parent.length() + 1);
        MatchResult r = node.isIgnored(rel, folder);
        if (r == MatchResult.IGNORED) {
          return true;
        }
        if (r == MatchResult.NOT_IGNORED) {
          return false;
        }
      }
      if (parent.isEmpty()) {
        break;
      }
      parent = parentOf(parent);
    }
    return exclude.isIgnored(sub, folder) == MatchResult.IGNORED;
  }

  private IgnoreNode node(String folder) {
    return folders.computeIfAbsent(
        folder,
        f -> {
          Path file = (f.isEmpty() ? root : root.resolve(f)).resolve(".gitignore");
          if (!Files.isRegularFile(file)) {
            return null;
          }
          IgnoreNode n = new IgnoreNode();
          try (InputStream in = Files.newInputStream(file)) {
            n.parse(in);
          } catch (IOException e) {
            return null;
          }
          return n;
        });
  }

  private static String parentOf(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }
}
