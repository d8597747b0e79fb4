package dev.etask.core.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Processes beyond the child itself: its whole process group (started through {@code setsid}), the
 * processes that left it but carry a marker in their environment, an orphan left by a killed run,
 * and the holders of a file. Reads {@code /proc} where there is one.
 */
public final class ProcessTrees {
  static final Path SETSID = findSetsid();

  private ProcessTrees() {}

  /** Whether {@link #holdersOf} can see which process holds a file (it needs {@code /proc}). */
  public static boolean canSeeHolders() {
    return Files.isDirectory(Path.of("/proc"));
  }

  /**
   * Kills a process left running by an earlier, killed run, with its process group and descendants,
   * when it is still that process (pids are reused): it started at {@code started}, or its command
   * line holds {@code commandMarker}.
   */
  public static boolean killOrphan(long pid, java.time.Instant started, String commandMarker) {
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    java.util.Optional<java.time.Instant> actual = h.get().info().startInstant();
    boolean sameStart =
        actual.isPresent()
            && Math.abs(actual.get().toEpochMilli() - started.toEpochMilli()) <= 2000;
    boolean sameCommand =
        !commandMarker.isEmpty()
            && h.get().info().commandLine().map(c -> c.contains(commandMarker)).orElse(false);
    if (!sameStart && !sameCommand) {
      return false;
    }
    h.get().descendants().forEach(ProcessHandle::destroyForcibly);
    if (SETSID != null) {
      signalGroup(pid, "KILL");
    }
    h.get().destroyForcibly();
    return true;
  }

  /**
   * Kills every process of this user whose environment holds {@code marker} ({@code NAME=value}):
   * the ones a child started and that left its process group ({@code setsid}, double forks).
   * Returns them as {@code pid (command line)}. Reads {@code /proc}; does nothing where there is
   * none.
   */
  public static List<String> killMarked(String marker) {
    List<String> killed = new ArrayList<>();
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return killed;
    }
    byte[] needle = (marker + "\0").getBytes(StandardCharsets.UTF_8);
    try (var pids =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : pids) {
        long n = Long.parseLong(pid.getFileName().toString());
        if (n == ProcessHandle.current().pid()) {
          continue;
        }
        try {
          byte[] environ = Files.readAllBytes(pid.resolve("environ"));
          if (indexOf(environ, needle) >= 0) {
            java.util.Optional<ProcessHandle> h = ProcessHandle.of(n);
            killed.add(n + " (" + h.flatMap(x -> x.info().commandLine()).orElse("?") + ")");
            if (h.isPresent()) {
              h.get().destroyForcibly();
            } else {
              signalPid(n, "KILL");
            }
          }
        } catch (IOException | SecurityException e) {
          // another user's process, or one that ended meanwhile
        }
      }
    } catch (IOException e) {
      return killed;
    }
    return killed;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) {
        continue; // only whole NAME=value entries
      }
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * The processes that hold {@code file} open right now, as {@code pid (command line)}; read from
   * {@code /proc}, so empty where there is none.
   */
  public static List<String> holdersOf(Path file) {
    List<String> out = new ArrayList<>();
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return out;
    }
    Path target;
    try {
      target =
          file.toRealPath(); // /proc shows real paths: a symbolic link on the way must not hide a
      // holder
    } catch (IOException e) {
      target = file.toAbsolutePath().normalize();
    }
    try (var pids =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : pids) {
        try (var fds = Files.newDirectoryStream(pid.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (Files.readSymbolicLink(fd).equals(target)) {
                long n = Long.parseLong(pid.getFileName().toString());
                out.add(
                    n
                        + " ("
                        + ProcessHandle.of(n).flatMap(h -> h.info().commandLine()).orElse("?")
                        + ")");
                break;
              }
            } catch (IOException | UnsupportedOperationException e) {
              // a descriptor that closed meanwhile
            }
          }
        } catch (IOException | SecurityException e) {
          // another user's process, or one that ended
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  static void killTree(Process process) {
    long pid = process.pid();
    if (SETSID != null) {
      signalGroup(pid, "TERM");
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        if (SETSID != null) {
          signalGroup(pid, "KILL");
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      } else if (SETSID != null) {
        signalGroup(pid, "KILL"); // grandchildren that outlived the leader
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void signalPid(long pid, String signal) {
    kill("-" + signal, String.valueOf(pid)); // without kill(1) the process stays
  }

  static void signalGroup(long pgid, String signal) {
    kill("-" + signal, "--", "-" + pgid); // without kill(1), descendants() is the fallback
  }

  /** Runs kill(1) with {@code args}, waiting at most five seconds; a missing kill(1) is quiet. */
  private static void kill(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("kill"));
    argv.addAll(List.of(args));
    try {
      new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path findSetsid() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, "setsid");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
