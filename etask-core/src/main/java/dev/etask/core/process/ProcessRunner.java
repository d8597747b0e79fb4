package dev.etask.core.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
  private volatile java.util.function.BiConsumer<Command, Result> finished = null;
  private final Object clock = new Object();
  private java.util.concurrent.ExecutorService starter;
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

  /** Called with every command run to its end and how it ended (for a debug log). */
  public void onFinish(java.util.function.BiConsumer<Command, Result> listener) {
    this.finished = listener;
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
    OutputDrain drain =
        new OutputDrain(redactor, process.getInputStream(), command.log(), command.capture());
    drain.watchSurvivors(command.confinement() != null);
    Thread reader = new Thread(drain, "etask-drain-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    boolean timedOut = await(process, command, reader);
    String tail = drain.tail();
    if (timedOut) {
      String stopped = "[etask] stopped after " + command.timeout().toSeconds() + "s (time limit)";
      tail += "\n" + stopped;
      drain.append(stopped + "\n");
    }
    List<String> survivors = drain.survivors();
    if (!survivors.isEmpty()) {
      survivorListener.accept(command, survivors);
    }
    return told(
        command,
        new Result(
            timedOut ? -1 : process.exitValue(),
            timedOut,
            tail,
            Duration.ofNanos(System.nanoTime() - start),
            survivors));
  }

  /** Waits for {@code process} to its end or its time limit; true when it was stopped. */
  private boolean await(Process process, Command command, Thread reader) {
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
    return timedOut;
  }

  /** {@code result}, told to the {@link #onFinish} listener first. */
  private Result told(Command command, Result result) {
    var listener = finished;
    if (listener != null) {
      listener.accept(command, result);
    }
    return result;
  }

  /**
   * Starts a child that stays up beside the task (a server etask talks to) instead of running to
   * its end: its output drained to the command's log (redacted), no time limit, not counted as a
   * child at work ({@link #busyNanos}), stopped with the others by {@link #killAll()} or by {@link
   * #stop(Process)}. Its pid is the program's own (setsid replaces itself with it).
   */
  public Process startServer(Command command) throws IOException {
    logCommand(command);
    Process process;
    try {
      // a sandbox ends with the thread that started it: this one lives as long as the runner
      process = starter().submit(() -> builder(command).start()).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + command.argv().get(0), e);
    }
    running.add(process);
    onStart.accept(process.toHandle());
    Thread reader =
        new Thread(
            new OutputDrain(redactor, process.getInputStream(), command.log(), null),
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

  /** Kills every child still running, and ends the thread that starts servers. */
  public void close() {
    killAll();
    synchronized (this) {
      if (starter != null) {
        starter.shutdownNow();
        starter = null;
      }
    }
  }

  private synchronized java.util.concurrent.ExecutorService starter() {
    if (starter == null) {
      starter =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "etask-server-starter");
                t.setDaemon(true);
                return t;
              });
    }
    return starter;
  }
}
