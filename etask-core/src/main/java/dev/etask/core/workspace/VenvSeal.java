package dev.etask.core.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A fingerprint of what in a virtualenv decides which code runs when the gates start: the content
 * of the scripts in {@code bin/}, {@code pyvenv.cfg}, every {@code .pth} file, {@code
 * sitecustomize} / {@code usercustomize} and the entry points (pytest plugins load from them), and
 * the size and modification time of every other file (a package's modules, compiled bytecode,
 * compiled programs in {@code bin/}). Taken before a generator runs and compared after it, it tells
 * whether the generator tampered with the gates' environment. ({@link #stat} does the same for any
 * folder, e.g. the tools' caches.) A generator can still forge a file's time and size on purpose;
 * full isolation comes with a sandbox.
 */
public final class VenvSeal {
  private VenvSeal() {}

  /** Path (relative to the venv) → content hash, or size and time for the files not hashed. */
  public static Map<String, String> of(Path venv) throws IOException {
    Map<String, String> out = new TreeMap<>();
    Path bin = venv.resolve("bin");
    if (Files.isDirectory(bin)) {
      try (var files = Files.list(bin)) {
        for (Path p : files.toList()) {
          out.put(venv.relativize(p).toString(), script(p));
        }
      }
    }
    Path cfg = venv.resolve("pyvenv.cfg");
    if (Files.exists(cfg)) {
      out.put("pyvenv.cfg", hash(cfg));
    }
    Path lib = venv.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (var versions = Files.newDirectoryStream(lib, "python*")) {
        for (Path version : versions) {
          for (String name : List.of("sitecustomize.py", "usercustomize.py")) {
            if (Files.exists(version.resolve(name))) {
              out.put(
                  venv.relativize(version.resolve(name)).toString(), hash(version.resolve(name)));
            }
          }
          Path site = version.resolve("site-packages");
          if (!Files.isDirectory(site)) {
            continue;
          }
          try (var entries = Files.list(site)) {
            for (Path p : entries.toList()) {
              String name = p.getFileName().toString();
              String rel = venv.relativize(p).toString();
              if (name.endsWith(".pth")
                  || name.equals("sitecustomize.py")
                  || name.equals("usercustomize.py")) {
                out.put(rel, hash(p));
              } else if (name.endsWith(".dist-info")
                  && Files.exists(p.resolve("entry_points.txt"))) {
                out.put(rel + "/entry_points.txt", hash(p.resolve("entry_points.txt")));
              }
            }
          }
          stat(venv, site).forEach(out::putIfAbsent);
        }
      }
    }
    return out;
  }

  /**
   * Every file under {@code folder}: path relative to {@code base} → size and modification time
   * (links: target).
   */
  public static Map<String, String> stat(Path base, Path folder) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(folder)) {
      return out;
    }
    Files.walkFileTree(
        folder,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes a) throws IOException {
            out.put(
                base.relativize(file).toString(),
                a.isSymbolicLink()
                    ? "-> " + Files.readSymbolicLink(file)
                    : a.size() + "@" + a.lastModifiedTime().toInstant());
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
            out.put(base.relativize(file).toString(), "unreadable");
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    return out;
  }

  /** The paths that were added, removed or changed between two seals. */
  public static List<String> changes(Map<String, String> before, Map<String, String> after) {
    TreeSet<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String a = before.get(n);
      String b = after.get(n);
      if (a == null) {
        out.add(n + " (added)");
      } else if (b == null) {
        out.add(n + " (removed)");
      } else if (!a.equals(b)) {
        out.add(n + " (changed)");
      }
    }
    return out;
  }

  /**
   * A script's content hash; a compiled program (over 1 MiB, such as ruff's binary, which hashing
   * before and after every batch would cost tens of milliseconds) by size, time and file identity,
   * like a package's modules.
   */
  private static String script(Path p) throws IOException {
    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) > BIG) {
      var a =
          Files.readAttributes(
              p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.size() + "@" + a.lastModifiedTime().toInstant() + "#" + a.fileKey();
    }
    return hash(p);
  }

  private static final long BIG = 1 << 20;

  private static String hash(Path p) throws IOException {
    if (Files.isSymbolicLink(p)) {
      return "-> " + Files.readSymbolicLink(p);
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return "folder";
    }
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
