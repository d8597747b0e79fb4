package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.Confinement;
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
 * source files again (docs/ARCHITECTURE.md §5). A call goes through a small client ({@code python
 * -S -I python_worker.py call}) that hands the worker its standard streams and waits for the
 * child's exit status: the output, the time limit and the kill of a call stay those of {@link
 * ProcessRunner}. A worker that is not there, stopped, or not the process etask started leaves the
 * client to run the script itself: the same result, only slower.
 */
final class PythonWorker {
  /**
   * A task's worker: none until the first call after {@link #enable}, then one at a time, serving
   * one measurement ({@code label}): a call for another measurement stops it and starts the next.
   */
  static final class Slot {
    private boolean wanted;
    private PythonWorker worker;

    synchronized void enable() {
      wanted = true;
    }

    /**
     * Starts the worker of measurement {@code label} (when wanted and not running) without waiting
     * for it to listen; one that ended without ever listening (it refused the project, or could not
     * import) is not started again.
     */
    synchronized void start(PythonEnvironment python, Workspace workspace, String label) {
      if (worker != null && (!worker.alive() || !worker.label.equals(label))) {
        boolean refused = !worker.alive() && !worker.listened;
        stop();
        wanted &= !refused;
      }
      if (wanted && worker == null) {
        worker = PythonWorker.start(python, workspace, label);
        wanted = worker != null;
      }
    }

    /**
     * The call in the worker of measurement {@code label} when it listens (waiting for one still
     * importing, see {@link PythonWorker#awaitListening}), falling back to {@code own} (the same
     * call in a process of its own, held as every test process is); {@code own} itself when there
     * is no worker.
     */
    synchronized List<String> argv(
        PythonEnvironment python,
        Workspace workspace,
        String label,
        Path script,
        List<String> args,
        List<String> fallback) {
      start(python, workspace, label);
      if (worker != null && python.runner().waitingForChild(worker::awaitListening)) {
        long peer = worker.peer();
        if (peer > 0) {
          return worker.argv(python.python(), peer, script, args, fallback);
        }
      }
      return null;
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
  private final String label;
  private final boolean sandboxed;
  private long peer;
  private long lastCheck = started;
  private Duration lastCpu = Duration.ZERO;
  private boolean stuck;
  private boolean listened;
  private final ProcessRunner runner;
  private final Process process;
  private final Path socket;
  private final Path client;

  private PythonWorker(
      ProcessRunner runner,
      Process process,
      Path socket,
      Path client,
      String label,
      boolean sandboxed) {
    this.runner = runner;
    this.process = process;
    this.socket = socket;
    this.client = client;
    this.label = label;
    this.sandboxed = sandboxed;
  }

  /**
   * Starts the worker of measurement {@code label}, in the sandbox of that measurement's tests when
   * there is one; it listens once it has imported pytest and coverage, and calls made before run as
   * their own processes. Null (said in the log) when it could not start.
   */
  static PythonWorker start(PythonEnvironment python, Workspace workspace, String label) {
    Confinements held = python.confinements();
    return start(
        python.runner(),
        python.python(),
        python.script("python_worker.py"),
        HELPERS.stream().map(python::script).toList(),
        held == null ? python.bytecode() : held.bytecode(),
        workspace.output(label).resolve("worker.sock"),
        workspace.repo(),
        python.testEnvironment(label),
        workspace.logs().resolve("python-worker.log"),
        held == null ? null : held.worker(label),
        label);
  }

  /**
   * Starts a worker serving {@code directory} with {@code helpers}, on {@code socket}, held by
   * {@code confinement} (null: a plain child); null (said in {@code log}) when it could not start.
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
      Path log,
      Confinement confinement,
      String label) {
    try {
      Files.createDirectories(socket.getParent());
      Files.deleteIfExists(socket);
      // it stops what calls leave running as the reaper does, with the reaper's own code
      AtomicFiles.writeIfChanged(
          script.resolveSibling("etask-reaper.py"), dev.etask.core.process.Sandbox.reaperScript());
      Command serve =
          new Command(
              serve(python, script, helpers, bytecode, socket),
              directory,
              environment,
              Duration.ZERO,
              log);
      Process process =
          runner.startServer(confinement == null ? serve : serve.confined(confinement));
      return new PythonWorker(
          runner, process, socket, script, label, confinement != null && confinement.sandboxed());
    } catch (IOException | RuntimeException e) {
      try {
        Files.createDirectories(log.getParent());
        Files.writeString(
            log,
            runner.redactor().redact("[etask] the worker did not start (" + e.getMessage() + ")\n"),
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
   * Fills the bytecode cache the sandboxed workers share and only read, with what a worker imports
   * (see {@code python_worker.py warm}): once per virtualenv, before any untrusted code of the task
   * runs, in a sandbox where nothing else is writable. Does nothing without a shared cache.
   */
  static void prepareBytecode(PythonEnvironment python, Workspace workspace, Duration timeout) {
    Confinements confinements = python.confinements();
    if (confinements == null || !confinements.prefilledBytecode()) {
      return;
    }
    try {
      Path env = workspace.venv().resolve(".etask-env");
      if (!Files.isRegularFile(env)) {
        return;
      }
      String key =
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(
                          (Files.readString(env) + "|" + python.python().toRealPath())
                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      Path bytecode = confinements.bytecode();
      Path done = bytecode.resolve(".warm").resolve(key);
      if (Files.exists(done)) {
        return;
      }
      Files.createDirectories(done.getParent());
      dev.etask.core.process.Command warm =
          new dev.etask.core.process.Command(
                  List.of(
                      python.python().toString(),
                      python.script("python_worker.py").toString(),
                      "warm",
                      "--bytecode",
                      bytecode.toString()),
                  workspace.root(),
                  python.environment("bytecode"),
                  timeout,
                  workspace.logs().resolve("python-worker.log"))
              .confined(confinements.prepass());
      if (python.runner().run(warm).ok()) {
        AtomicFiles.write(done, "");
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      // the workers compile from source: slower, the same results
    }
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

  /**
   * The worker's pid as etask sees it, for the client's peer check; 0 when it cannot be told. In a
   * sandbox, the worker is the process below bubblewrap that runs this worker's script: read once
   * it listens, before any call has run the repository's code in it.
   */
  synchronized long peer() {
    if (peer == 0 && listening()) {
      peer =
          !sandboxed
              ? process.pid()
              : process
                  .descendants()
                  .filter(
                      h -> {
                        String[] args = h.info().arguments().orElse(new String[0]);
                        // bubblewrap's own processes carry the same words further on
                        return args.length > 1
                            && args[0].equals(client.toString())
                            && args[1].equals("serve");
                      })
                  .mapToLong(ProcessHandle::pid)
                  .findFirst()
                  .orElse(-1);
    }
    return peer;
  }

  /** {@code python SCRIPT ARGS...}, run by this worker, or by the client itself when it cannot. */
  List<String> argv(Path python, Path script, List<String> args) {
    return argv(python, peer(), script, args, List.of());
  }

  /**
   * {@code python SCRIPT ARGS...}, run by this worker (process {@code peer}); when it cannot be,
   * the client runs {@code fallback python SCRIPT ARGS...} itself.
   */
  List<String> argv(Path python, long peer, Path script, List<String> args, List<String> fallback) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                python.toString(),
                "-S",
                "-I",
                client.toString(),
                "call",
                socket.toString(),
                String.valueOf(peer)));
    if (!fallback.isEmpty()) {
      argv.add("--fallback");
      argv.add(String.valueOf(fallback.size()));
      argv.addAll(fallback);
    }
    argv.add(script.toString());
    argv.addAll(args);
    return argv;
  }

  void stop() {
    runner.stop(process);
  }
}
