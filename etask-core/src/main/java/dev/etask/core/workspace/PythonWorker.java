package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task's Python worker ({@code python_worker.py serve}): one process of the venv's Python that
 * has imported pytest and coverage once and runs etask's helper scripts in children forked from it,
 * so a batch does not pay for a Python start, those imports and coverage's parsing of the measured
 * source files again (DESIGN §5). A call goes through a small client ({@code python -S -I
 * python_worker.py call}) that hands the worker its standard streams and waits for the child's exit
 * status: the output, the time limit and the kill of a call stay those of {@link ProcessRunner}. A
 * worker that is not there, stopped, or not the process etask started leaves the client to run the
 * script itself: the same result, only slower.
 */
final class PythonWorker {
  /** A task's worker: none until the first call after {@link #enable}, then one at a time. */
  static final class Slot {
    private boolean wanted;
    private PythonWorker worker;

    synchronized void enable() {
      wanted = true;
    }

    /**
     * Starts the worker (when wanted and not running) without waiting for it to listen; one that
     * ended without ever listening (it refused the project, or could not import) is not started
     * again.
     */
    synchronized void start(PythonEnvironment python, Workspace workspace) {
      if (worker != null && !worker.alive()) {
        boolean served = worker.listened;
        stop();
        wanted &= served;
      }
      if (wanted && worker == null) {
        worker =
            PythonWorker.start(
                python.runner(),
                python.python(),
                python.script("python_worker.py"),
                HELPERS.stream().map(python::script).toList(),
                python.bytecode(),
                workspace.worker().resolve("python.sock"),
                workspace.repo(),
                python.environment(),
                workspace.logs().resolve("python-worker.log"));
        wanted = worker != null;
      }
    }

    /**
     * The call in the worker when it listens (waiting for one still importing, see {@link
     * PythonWorker#awaitListening}), else in a process of its own.
     */
    synchronized List<String> argv(
        PythonEnvironment python, Workspace workspace, Path script, List<String> args) {
      start(python, workspace);
      if (worker != null && python.runner().waitingForChild(worker::awaitListening)) {
        return worker.argv(python.python(), script, args);
      }
      List<String> argv = new ArrayList<>(List.of(python.python().toString(), script.toString()));
      argv.addAll(args);
      return argv;
    }

    synchronized void stop() {
      if (worker != null) {
        worker.stop();
        worker = null;
      }
    }
  }

  /** The helper scripts a worker runs; it refuses any other. */
  static final List<String> HELPERS =
      List.of("coverage_data.py", "test_quality.py", "suite_collects.py");

  /**
   * How long after its start a call waits for the worker to listen however it runs; after that,
   * only while it still gets work done (see {@link #awaitListening}).
   */
  static final Duration WORTH_WAITING = Duration.ofSeconds(3);

  /** A worker that used no processor time for this long is not importing: it is stuck. */
  static final Duration STALLED = Duration.ofSeconds(1);

  /** How long a worker may take to import pytest and coverage and listen. */
  private static final Duration STARTING = Duration.ofSeconds(30);

  private final long started = System.nanoTime();
  private long lastCheck = started;
  private Duration lastCpu = Duration.ZERO;
  private boolean stuck;
  private boolean listened;
  private final ProcessRunner runner;
  private final Process process;
  private final Path socket;
  private final Path client;

  private PythonWorker(ProcessRunner runner, Process process, Path socket, Path client) {
    this.runner = runner;
    this.process = process;
    this.socket = socket;
    this.client = client;
  }

  /**
   * Starts a worker; it listens once it has imported pytest and coverage, and calls made before run
   * as their own processes. Null (said in {@code log}) when it could not start.
   */
  static PythonWorker start(
      ProcessRunner runner,
      Path python,
      Path script,
      List<Path> helpers,
      Path bytecode,
      Path socket,
      Path directory,
      Map<String, String> environment,
      Path log) {
    try {
      Files.createDirectories(socket.getParent());
      Files.deleteIfExists(socket);
      Process process =
          runner.startServer(
              new Command(
                  serve(python, script, helpers, bytecode, socket),
                  directory,
                  environment,
                  Duration.ZERO,
                  log));
      return new PythonWorker(runner, process, socket, script);
    } catch (IOException e) {
      try {
        Files.writeString(
            log,
            "[etask] the worker did not start (" + e.getMessage() + ")\n",
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException ignored) {
        // the log is where it would have been said
      }
      return null;
    }
  }

  private static List<String> serve(
      Path python, Path script, List<Path> helpers, Path bytecode, Path socket) {
    List<String> argv =
        new ArrayList<>(List.of(python.toString(), script.toString(), "serve", socket.toString()));
    if (bytecode != null) {
      argv.add("--bytecode");
      argv.add(bytecode.toString());
    }
    helpers.forEach(h -> argv.add(h.toString()));
    return argv;
  }

  /**
   * Running, and listening or still starting; not when its socket went away or it never listened
   * within {@link #STARTING}.
   */
  boolean alive() {
    if (!process.isAlive()) {
      return false;
    }
    if (Files.exists(socket)) {
      listened = true;
      return true;
    }
    return !listened && System.nanoTime() - started < STARTING.toNanos();
  }

  /** Listening now. */
  boolean listening() {
    return alive() && listened;
  }

  /**
   * Listening, after waiting while it still imports: a call run in its own process would import
   * pytest and coverage itself, which costs about as much again, on a core the worker needs (on a
   * busy machine, several tasks at once, the worker may need far longer than its {@link
   * #WORTH_WAITING}, and a second import only makes it slower). So a call waits during the worker's
   * first {@link #WORTH_WAITING}, then for as long as the worker keeps using processor time
   * (checked every {@link #STALLED}), up to its {@link #STARTING} limit; a worker that waits on
   * something else (a hung import) is not waited for again.
   */
  synchronized boolean awaitListening() {
    while (!listening()) {
      if (!alive() || stuck) {
        return false;
      }
      long now = System.nanoTime();
      if (now - started >= WORTH_WAITING.toNanos() && now - lastCheck >= STALLED.toNanos()) {
        Duration cpu = process.info().totalCpuDuration().orElse(null);
        if (cpu == null || cpu.compareTo(lastCpu) <= 0) {
          stuck = true; // no processor time since the last look (or no way to tell): not importing
          return false;
        }
        lastCpu = cpu;
        lastCheck = now;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** {@code python SCRIPT ARGS...}, run by this worker. */
  List<String> argv(Path python, Path script, List<String> args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                python.toString(),
                "-S",
                "-I",
                client.toString(),
                "call",
                socket.toString(),
                String.valueOf(process.pid()),
                script.toString()));
    argv.addAll(args);
    return argv;
  }

  void stop() {
    runner.stop(process);
  }
}
