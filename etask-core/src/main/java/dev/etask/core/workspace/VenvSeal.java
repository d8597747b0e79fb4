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
import java.util.HashMap;
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
    return of(venv, venv);
  }

  /**
   * {@link #of(Path)} with the paths relative to {@code base} (a folder above the venv). A hash
   * map: a seal is only compared ({@link #diff} sorts what differs), and sorting thousands of paths
   * that share long prefixes was a fifth of the walk.
   */
  public static Map<String, String> of(Path base, Path venv) throws IOException {
    Map<String, String> out = new HashMap<>(4096);
    Path bin = venv.resolve("bin");
    if (Files.isDirectory(bin)) {
      try (var files = Files.list(bin)) {
        for (Path p : files.toList()) {
          out.put(base.relativize(p).toString(), script(p));
        }
      }
    }
    Path cfg = venv.resolve("pyvenv.cfg");
    if (Files.exists(cfg)) {
      out.put(base.relativize(cfg).toString(), hash(cfg));
    }
    Path lib = venv.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (var versions = Files.newDirectoryStream(lib, "python*")) {
        for (Path version : versions) {
          for (String name : List.of("sitecustomize.py", "usercustomize.py")) {
            if (Files.exists(version.resolve(name))) {
              out.put(
                  base.relativize(version.resolve(name)).toString(), hash(version.resolve(name)));
            }
          }
          Path site = version.resolve("site-packages");
          if (!Files.isDirectory(site)) {
            continue;
          }
          try (var entries = Files.list(site)) {
            for (Path p : entries.toList()) {
              String name = p.getFileName().toString();
              String rel = base.relativize(p).toString();
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
          stat(base, site).forEach(out::putIfAbsent);
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
    Map<String, String> out = new HashMap<>();
    String rel = base.relativize(folder).toString();
    if (Files.isSymbolicLink(folder)) {
      out.put(rel, "-> " + Files.readSymbolicLink(folder));
    } else if (Files.isDirectory(folder)) {
      walk(folder, rel, out);
    }
    return out;
  }

  /**
   * When a file's status last changed ({@code @ctime}: an edit whose modification time was set back
   * still changes it), for a file of its own (one link: a file uv linked from its cache shares its
   * status with the cache, which other tasks' installs change); empty when it cannot be read.
   */
  private static String changed(Path p) {
    try {
      Map<String, Object> a =
          Files.readAttributes(p, "unix:nlink,ctime", LinkOption.NOFOLLOW_LINKS);
      return Integer.valueOf(1).equals(a.get("nlink"))
          ? "@" + ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS)
          : "";
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "";
    }
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
            out.put(
                name, a.size() + "@" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + changed(p));
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
   * An instant as the file system stamps a status change, taken just before a generator starts
   * ({@link #mark}): every change made before it is stamped earlier, every change after it at or
   * after it. Null {@code ctime}: none could be taken, and every change counts as the generator's.
   */
  public record Mark(FileTime ctime, Object device) {}

  /**
   * A {@link Mark}, from {@code file} (made anew beside the venv, on its file system): the first
   * change time the file system gives after the one current now (its clock ticks coarsely — a few
   * milliseconds, or a second on some file systems — so a change made just before shares the
   * current tick).
   */
  public static Mark mark(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.CREATE_NEW);
    try {
      FileTime now = ctime(file);
      long deadline = System.nanoTime() + 2_500_000_000L;
      FileTime next = now;
      while (next.compareTo(now) <= 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
        Files.write(file, new byte[] {1}, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        next = ctime(file);
      }
      long wall = System.currentTimeMillis();
      if (next.compareTo(now) <= 0
          || next.toMillis() < wall - 5_000
          || next.toMillis() > wall + 1_000) { // a file system whose clock is not this system's
        return new Mark(null, null);
      }
      return new Mark(next, device(file));
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return new Mark(null, null); // no change times here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Mark(null, null);
    }
  }

  /**
   * Whether the entry {@code rel} under {@code base} may have been changed at or after {@code
   * mark}: its inode change time — which every write, rename, link and time stamp reset sets, and
   * which a program cannot set back without setting the system clock back — or that of any folder
   * or link on the way to it from {@code base} (a folder or link moved or swapped in carries what
   * was made earlier), is at or after the mark, or one of them is on another file system. For an
   * entry that is gone, the entries on the way to it that are left. True when that cannot be told.
   */
  public static boolean changedSince(Path base, String rel, Mark mark) {
    if (mark.ctime() == null) {
      return true;
    }
    Path p = base;
    for (Path name : Path.of(rel)) {
      p = p.resolve(name);
      try {
        Map<String, Object> a =
            Files.readAttributes(p, "unix:ctime,dev", LinkOption.NOFOLLOW_LINKS);
        if (((FileTime) a.get("ctime")).compareTo(mark.ctime()) >= 0
            || !a.get("dev").equals(mark.device())) {
          return true;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        return false; // the entries on the way that are left are older than the mark
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        return true;
      }
    }
    return false;
  }

  private static FileTime ctime(Path file) throws IOException {
    return (FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
  }

  private static Object device(Path file) throws IOException {
    return Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS);
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
