package dev.etask.core.workspace;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A fingerprint of what in a virtualenv decides which code runs when the gates start: the content
 * of the scripts in {@code bin/}, {@code pyvenv.cfg}, every {@code .pth} file, {@code
 * sitecustomize} / {@code usercustomize} and the entry points (pytest plugins load from them), and
 * the size and modification time of every other file (a package's modules, compiled bytecode,
 * compiled programs in {@code bin/}). Taken before a generator runs and compared after it, it tells
 * whether the generator tampered with the gates' environment. ({@link #stat} does the same for any
 * folder, e.g. the tools' caches.) A change found between two seals is dated by {@link
 * #changedSince}: the seal before a generator may be the last generator's. A generator can still
 * forge a file's time and size on purpose; full isolation comes with a sandbox.
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
    String rel = base.relativize(folder).toString();
    if (Files.isSymbolicLink(folder)) {
      out.put(rel, "-> " + Files.readSymbolicLink(folder));
    } else if (Files.isDirectory(folder)) {
      walk(folder, rel, out);
    }
    return out;
  }

  /** {@link #stat} of {@code dir}, whose path relative to the base is {@code rel}. */
  private static void walk(Path dir, String rel, Map<String, String> out) {
    String prefix = rel.isEmpty() ? "" : rel + "/";
    try (var entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = prefix + p.getFileName();
        try {
          BasicFileAttributes a =
              Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.isDirectory()) {
            walk(p, name, out);
          } else if (a.isSymbolicLink()) {
            out.put(name, "-> " + Files.readSymbolicLink(p));
          } else {
            out.put(name, a.size() + "@" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
          }
        } catch (IOException e) {
          out.put(name, "unreadable");
        }
      }
    } catch (IOException e) {
      out.put(rel, "unreadable");
    }
  }

  /**
   * Whether the entry {@code rel} under {@code base} (or, when it is gone, the nearest folder above
   * it that is left) had its status changed at or after {@code mark}: its inode change time, which
   * every write, rename, removal and time stamp reset sets and no program can set back. True when
   * that time cannot be read.
   */
  public static boolean changedSince(Path base, String rel, FileTime mark) {
    Path p = base.resolve(rel);
    while (p != null && p.startsWith(base)) {
      try {
        FileTime ctime = (FileTime) Files.getAttribute(p, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        return ctime.compareTo(mark) >= 0;
      } catch (java.nio.file.NoSuchFileException e) {
        p = p.getParent();
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return true;
      }
    }
    return true;
  }

  /** Now, as the file system stamps a file's status change (its clock can lag the system's). */
  public static FileTime mark(Path scratchFile) throws IOException {
    Files.write(scratchFile, new byte[0]);
    try {
      return (FileTime) Files.getAttribute(scratchFile, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return FileTime.fromMillis(Long.MIN_VALUE); // no change time here: nothing is ever excused
    }
  }

  /** The paths that were added, removed or changed between two seals, each with how. */
  public static List<String> changes(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    diff(before, after).forEach((path, how) -> out.add(path + " (" + how + ")"));
    return out;
  }

  /** The paths that were added, removed or changed between two seals → which of the three. */
  public static Map<String, String> diff(Map<String, String> before, Map<String, String> after) {
    Map<String, String> out = new TreeMap<>();
    before.forEach(
        (n, a) -> {
          String b = after.get(n);
          if (b == null) {
            out.put(n, "removed");
          } else if (!a.equals(b)) {
            out.put(n, "changed");
          }
        });
    after
        .keySet()
        .forEach(
            n -> {
              if (!before.containsKey(n)) {
                out.put(n, "added");
              }
            });
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
