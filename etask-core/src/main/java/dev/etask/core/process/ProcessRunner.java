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
 * killed on timeout or {@link #killAll()} (the child is started through {@code setsid} where there
 * is one).
 */
public final class ProcessRunner {
  /**
   * What a finished child left behind. {@code output} is the last {@link #TAIL_CHARS} characters.
   */
  public record Result(
      int exitCode, boolean timedOut, String output, Duration duration, List<String> survivors) {
    public Result {
      survivors = List.copyOf(survivors);
    }

    public Result(int exitCode, boolean timedOut, String output, Duration duration) {
      this(exitCode, timedOut, output, duration, List.of());
    }

    public boolean ok() {
      return exitCode == 0 && !timedOut;
    }
  }

  /** How the reaper ({@code reaper.py}) names a process the command left running. */
  static final String SURVIVOR = "[etask] left running by the command, stopped: ";

  public static final int TAIL_CHARS = 64 * 1024;

  private final Redactor redactor;
  private final Set<Process> running = ConcurrentHashMap.newKeySet();
  private volatile java.util.function.Consumer<ProcessHandle> onStart = p -> {};
  private volatile java.util.function.BiConsumer<Command, List<String>> survivorListener =
      (c, s) -> {};
  private final Object clock = new Object();
  private int active;
  private long busySince;
  private long busyNanos;

  /**
   * Called with every child right after it starts (e.g. to record it, so a later run can stop an
   * orphan).
   */
  public void onStart(java.util.function.Consumer<ProcessHandle> listener) {
    this.onStart = listener == null ? p -> {} : listener;
  }

  /**
   * Called with every confined command that left processes running (named by its reaper as {@code
   * pid (command line)}), after they were stopped.
   */
  public void onSurvivors(java.util.function.BiConsumer<Command, List<String>> listener) {
    this.survivorListener = listener == null ? (c, s) -> {} : listener;
  }

  public ProcessRunner(Redactor redactor) {
    this.redactor = redactor;
  }

  /** The redactor every log line and tail of this runner goes through. */
  public Redactor redactor() {
    return redactor;
  }

  public Result run(Command command) {
    ProcessBuilder pb = builder(command);
    long start = System.nanoTime();
    Process process;
    try {
      logCommand(command);
      childStarted();
      process = pb.start();
    } catch (IOException e) {
      childEnded();
      return new Result(
          127,
          false,
          "cannot start " + command.argv().get(0) + ": " + e.getMessage(),
          Duration.ofNanos(System.nanoTime() - start));
    }
    running.add(process);
    onStart.accept(process.toHandle());
    Drain drain = new Drain(process.getInputStream(), command.log(), command.capture());
    drain.watchSurvivors(command.confinement() != null);
    Thread reader = new Thread(drain, "etask-drain-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    boolean timedOut = false;
    try {
      if (!process.waitFor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        timedOut = true;
        ProcessTrees.killTree(process);
      }
      process.waitFor();
      if (ProcessTrees.SETSID != null && !timedOut) {
        // what the child left running in the background (it could change files after its exit)
        ProcessTrees.signalGroup(process.pid(), "KILL");
      }
      reader.join(5_000);
    } catch (InterruptedException e) {
      ProcessTrees.killTree(process);
      Thread.currentThread().interrupt();
      timedOut = true;
    } finally {
      running.remove(process);
      childEnded();
    }
    String tail = drain.tail();
    if (timedOut) {
      tail += "\n[etask] stopped after " + command.timeout().toSeconds() + "s (time limit)";
      drain.append("[etask] stopped after " + command.timeout().toSeconds() + "s (time limit)\n");
    }
    List<String> survivors = drain.survivors();
    if (!survivors.isEmpty()) {
      survivorListener.accept(command, survivors);
    }
    return new Result(
        timedOut ? -1 : process.exitValue(),
        timedOut,
        tail,
        Duration.ofNanos(System.nanoTime() - start),
        survivors);
  }

  /**
   * Starts a child that stays up beside the task (a server etask talks to) instead of running to
   * its end: its output drained to the command's log (redacted), no time limit, not counted as a
   * child at work ({@link #busyNanos}), stopped with the others by {@link #killAll()} or by {@link
   * #stop(Process)}. Its pid is the program's own (setsid replaces itself with it).
   */
  public Process startServer(Command command) throws IOException {
    logCommand(command);
    Process process = builder(command).start();
    running.add(process);
    onStart.accept(process.toHandle());
    Thread reader =
        new Thread(
            new Drain(process.getInputStream(), command.log(), null),
            "etask-drain-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  /**
   * Runs {@code waiting} (which waits for a child {@link #startServer started} beside the task to
   * get ready) counted as time a child is at work ({@link #busyNanos}): it is not etask's own.
   */
  public <T> T waitingForChild(java.util.function.Supplier<T> waiting) {
    childStarted();
    try {
      return waiting.get();
    } finally {
      childEnded();
    }
  }

  /** Stops a child {@link #startServer started} beside the task, with what it started. */
  public void stop(Process process) {
    ProcessTrees.killTree(process);
    running.remove(process);
  }

  private static ProcessBuilder builder(Command command) {
    List<String> argv = new ArrayList<>();
    if (ProcessTrees.SETSID != null) {
      argv.add(ProcessTrees.SETSID.toString());
    }
    Confinement held = command.confinement();
    argv.addAll(held == null ? command.argv() : held.wrap(command.argv(), command.directory()));
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(command.directory().toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(command.environment());
    if (held != null && held.sandboxed()) {
      pb.environment().put("TMPDIR", "/tmp"); // the sandbox's own, fresh
    }
    return pb;
  }

  private void logCommand(Command command) throws IOException {
    if (command.log() != null) {
      Files.createDirectories(command.log().getParent());
      Files.writeString(
          command.log(),
          "$ " + redactor.redact(command.display()) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
  }

  private void childStarted() {
    synchronized (clock) {
      if (active++ == 0) {
        busySince = System.nanoTime();
      }
    }
  }

  private void childEnded() {
    synchronized (clock) {
      if (--active == 0) {
        busyNanos += System.nanoTime() - busySince;
      }
    }
  }

  /**
   * How long at least one child of this runner has been running, in total: the rest of a phase's
   * time is etask's own.
   */
  public long busyNanos() {
    synchronized (clock) {
      return busyNanos + (active > 0 ? System.nanoTime() - busySince : 0);
    }
  }

  /** Kills every child still running (interrupts, shutdown). */
  public void killAll() {
    for (Process p : running) {
      ProcessTrees.killTree(p);
    }
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
    private final List<String> survivors = new ArrayList<>();
    private boolean watch;

    Drain(InputStream in, Path log, Path capture) {
      this.in = in;
      this.log = log;
      this.capture = capture;
    }

    @Override
    public void run() {
      try (OutputStream logOut =
              log == null
                  ? OutputStream.nullOutputStream()
                  : Files.newOutputStream(
                      log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          OutputStream captureOut =
              capture == null
                  ? OutputStream.nullOutputStream()
                  : Files.newOutputStream(
                      capture,
                      StandardOpenOption.CREATE,
                      StandardOpenOption.TRUNCATE_EXISTING,
                      StandardOpenOption.WRITE);
          OutputStream out = new Tee(logOut, captureOut)) {
        // one decoder for the whole stream: a character split between two reads stays whole
        java.io.Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8);
        char[] buf = new char[8192];
        StringBuilder line = new StringBuilder();
        int n;
        while ((n = reader.read(buf)) > 0) {
          line.append(buf, 0, n);
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

    void watchSurvivors(boolean on) {
      watch = on;
    }

    synchronized List<String> survivors() {
      return List.copyOf(survivors);
    }

    private synchronized void keep(String text) {
      if (watch && text.contains(SURVIVOR)) {
        for (String line : text.split("\n")) {
          if (line.startsWith(SURVIVOR)) {
            survivors.add(line.substring(SURVIVOR.length()).strip());
          }
        }
      }
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
        Files.writeString(
            log,
            text,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
