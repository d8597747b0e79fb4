package dev.etask.core.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The one way etask runs a child process: stdin closed, stdout and stderr merged, drained to the
 * command's log (redacted) and kept as a bounded tail, a time limit, and the whole process group
 * killed on timeout or {@link #killAll()} (the child is started through {@code setsid} where there is one).
 */
public final class ProcessRunner {
  /** What a finished child left behind. {@code output} is the last {@link #TAIL_CHARS} characters. */
  public record Result(int exitCode, boolean timedOut, String output, Duration duration) {
    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }
  }

  public static final int TAIL_CHARS = 64 * 1024;
  private static final Path SETSID = findSetsid();

  private final Redactor redactor;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private volatile java.util.function.Consumer<ProcessHandle> onStart = p -> { };

  /** Called with every child right after it starts (e.g. to record it, so a later run can stop an orphan). */
  public void onStart(java.util.function.Consumer<ProcessHandle> listener) {
    this.onStart = listener == null ? p -> { } : listener;
  }

  public ProcessRunner(Redactor redactor) {
    this.redactor = redactor;
  }

  /** The redactor every log line and tail of this runner goes through. */
  public Redactor redactor() {
    return redactor;
  }

  /** Whether {@link #holdersOf} can see which process holds a file (it needs {@code /proc}). */
  public static boolean canSeeHolders() {
    return Files.isDirectory(Path.of("/proc"));
  }

  public Result run(Command command) {
    List<String> argv = new ArrayList<>();
    if (SETSID != null) {
      argv.add(SETSID.toString());
    }
    argv.addAll(command.argv());
    ProcessBuilder pb = new ProcessBuilder(argv).directory(command.directory().toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(command.environment());
    long start = System.nanoTime();
    Process process;
    try {
      if (command.log() != null) {
        Files.createDirectories(command.log().getParent());
        Files.writeString(command.log(), "$ " + redactor.redact(command.display()) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      process = pb.start();
    } catch (IOException e) {
      return new Result(127, false, "cannot start " + command.argv().get(0) + ": " + e.getMessage(),
          Duration.ofNanos(System.nanoTime() - start));
    }
    running.add(process);
    onStart.accept(process.toHandle());
    Drain drain = new Drain(process.getInputStream(), command.log(), command.capture());
    Thread reader = new Thread(drain, "etask-drain-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    boolean timedOut = false;
    try {
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        timedOut = true;
        killTree(process);
      }
      process.waitFor();
      if (SETSID != null && !timedOut) {
        // what the child left running in the background (it could change files after its exit)
        signalGroup(process.pid(), "KILL");
      }
      reader.join(5_000);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      timedOut = true;
    } finally {
      running.remove(process);
    }
    String tail = drain.tail();
    if (timedOut) {
      tail += "\n[etask] stopped after " + command.timeout().toSeconds() + "s (time limit)";
      drain.append("[etask] stopped after " + command.timeout().toSeconds() + "s (time limit)\n");
    }
    return new Result(timedOut ? -1 : process.exitValue(), timedOut, tail, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Kills every child still running (interrupts, shutdown). */
  public void killAll() {
    for (Process p : running) {
      killTree(p);
    }
  }

  /**
   * Kills a process left running by an earlier, killed run, with its process group and
   * descendants, when it is still that process (pids are reused): it started at {@code started},
   * or its command line holds {@code commandMarker}.
   */
  public static boolean killOrphan(long pid, java.time.Instant started, String commandMarker) {
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return false;
    }
    java.util.Optional<java.time.Instant> actual = h.get().info().startInstant();
    boolean sameStart = actual.isPresent() && Math.abs(actual.get().toEpochMilli() - started.toEpochMilli()) <= 2000;
    boolean sameCommand = !commandMarker.isEmpty()
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
   * Kills every process of this user whose environment holds {@code marker} ({@code NAME=value}): the
   * ones a child started and that left its process group ({@code setsid}, double forks). Returns them as
   * {@code pid (command line)}. Reads {@code /proc}; does nothing where there is none.
   */
  public static List<String> killMarked(String marker) {
    List<String> killed = new ArrayList<>();
    Path proc = Path.of("/proc");
    if (!Files.isDirectory(proc)) {
      return killed;
    }
    byte[] needle = (marker + "\0").getBytes(StandardCharsets.UTF_8);
    try (var pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
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
      target = file.toRealPath(); // /proc shows real paths: a symbolic link on the way must not hide a holder
    } catch (IOException e) {
      target = file.toAbsolutePath().normalize();
    }
    try (var pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path pid : pids) {
        try (var fds = Files.newDirectoryStream(pid.resolve("fd"))) {
          for (Path fd : fds) {
            try {
              if (Files.readSymbolicLink(fd).equals(target)) {
                long n = Long.parseLong(pid.getFileName().toString());
                out.add(n + " (" + ProcessHandle.of(n).flatMap(h -> h.info().commandLine()).orElse("?") + ")");
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

  private static void killTree(Process process) {
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
    try {
      new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1) either: the process stays
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void signalGroup(long pgid, String signal) {
    try {
      new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1): descendants() is the fallback
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

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }

  private final class Drain implements Runnable {
    private final InputStream in;
    private final Path log;
    private final Path capture;
    private final StringBuilder tail = new StringBuilder();

    Drain(InputStream in, Path log, Path capture) {
      this.in = in;
      this.log = log;
      this.capture = capture;
    }

    @Override
    public void run() {
      try (OutputStream logOut = log == null ? OutputStream.nullOutputStream()
          : Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          OutputStream captureOut = capture == null ? OutputStream.nullOutputStream()
              : Files.newOutputStream(capture, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                  StandardOpenOption.WRITE);
          OutputStream out = new Tee(logOut, captureOut)) {
        byte[] buf = new byte[8192];
        StringBuilder line = new StringBuilder();
        int n;
        while ((n = in.read(buf)) > 0) {
          String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
          line.append(chunk);
          int nl = line.lastIndexOf("\n");
          if (nl >= 0) {
            String complete = redactor.redact(line.substring(0, nl + 1));
            line.delete(0, nl + 1);
            out.write(complete.getBytes(StandardCharsets.UTF_8));
            keep(complete);
          }
        }
        if (line.length() > 0) {
          String rest = redactor.redact(line.toString());
          out.write(rest.getBytes(StandardCharsets.UTF_8));
          keep(rest);
        }
      } catch (IOException e) {
        keep("[etask] output lost: " + e.getMessage() + "\n");
      }
    }

    private synchronized void keep(String text) {
      tail.append(text);
      if (tail.length() > TAIL_CHARS) {
        tail.delete(0, tail.length() - TAIL_CHARS);
      }
    }

    synchronized String tail() {
      return tail.toString();
    }

    void append(String text) {
      if (log == null) {
        return;
      }
      try {
        Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
