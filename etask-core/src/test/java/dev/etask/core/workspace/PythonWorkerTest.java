package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The task's Python worker with the real venv Python: a call through it behaves as the script run
 * as its own process (streams, exit code, time limit), and a worker that is gone or not the one
 * etask started is never a reason for a call to fail or to run elsewhere.
 */
class PythonWorkerTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  private static Workspace ws;
  private ProcessRunner runner;
  private PythonEnvironment python;
  private Path script;

  @BeforeAll
  static void venv() throws Exception {
    ws = Workspace.of(Path.of("target/worker-tests").toAbsolutePath(), null, "worker");
    ws.createFolders();
    Files.createDirectories(ws.repo());
    new PythonEnvironment(ws, new ProcessRunner(Redactor.none()))
        .ensure("python3", new Project(List.of(), List.of(), List.of()), SpecLoader.DEFAULT_TOOLS);
  }

  @BeforeEach
  void setUp() throws Exception {
    runner = new ProcessRunner(Redactor.none());
    python = new PythonEnvironment(ws, runner);
    script = ws.scratch().resolve("probe.py");
    Files.createDirectories(script.getParent());
    Files.writeString(
        script,
        "import os, sys, time\n"
            + "print('parent', os.getppid())\n"
            + "print('cwd', os.getcwd())\n"
            + "print('var', os.environ.get('PROBE'))\n"
            + "print('args', sys.argv[1:])\n"
            + "sys.stdout.flush()\n"
            + "if sys.argv[1:2] == ['call']:  # a call of the worker from below it (as a test)\n"
            + "    os.execv(sys.executable, [sys.executable] + sys.argv[2:])\n"
            + "if sys.argv[1:] == ['sleep']:\n"
            + "    open(os.environ['PROBE'], 'w').write(str(os.getpid()))\n"
            + "    time.sleep(60)\n"
            + "sys.exit(3)\n");
  }

  @AfterEach
  void tearDown() {
    runner.killAll();
  }

  private PythonWorker listening() throws Exception {
    PythonWorker worker = start(ws.repo(), "python-worker.log");
    assertThat(worker).isNotNull();
    waitForSocket();
    return worker;
  }

  /** A worker for the probe script, serving {@code folder}. */
  private PythonWorker start(Path folder, String log) {
    return PythonWorker.start(
        runner,
        python.python(),
        python.script("python_worker.py"),
        List.of(script),
        null,
        ws.worker().resolve("python.sock"),
        folder,
        python.environment("test"),
        ws.logs().resolve(log),
        null,
        "test");
  }

  private static void waitForSocket() throws InterruptedException {
    waitForSocket(ws.worker().resolve("python.sock"));
  }

  private static void waitForSocket(Path socket) throws InterruptedException {
    for (int i = 0; i < 3000 && !Files.exists(socket); i++) {
      Thread.sleep(10);
    }
    assertThat(socket).exists();
  }

  private ProcessRunner.Result run(List<String> argv, String probe, Duration timeout) {
    Map<String, String> env = new java.util.HashMap<>(python.environment("test"));
    env.put("PROBE", probe);
    return runner.run(new Command(argv, ws.repo(), env, timeout, ws.logs().resolve("probe.log")));
  }

  private static long workerPid() throws Exception {
    return ProcessHandle.current()
        .children()
        .filter(p -> p.info().commandLine().orElse("").contains("python_worker.py serve"))
        .findFirst()
        .orElseThrow()
        .pid();
  }

  @Test
  void aCallRunsInAChildOfTheWorkerWithTheCallersStreamsFolderEnvironmentAndExitCode()
      throws Exception {
    PythonWorker worker = listening();
    ProcessRunner.Result r =
        run(worker.argv(python.python(), script, List.of("a b", "c")), "seen", TIMEOUT);

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output())
        .contains("parent " + workerPid())
        .contains("cwd " + ws.repo().toRealPath())
        .contains("var seen")
        .contains("args ['a b', 'c']");
    assertThat(Files.readString(ws.logs().resolve("probe.log"))).contains("var seen");
  }

  @Test
  void aCallFromAProcessBelowTheWorkerIsRefused() throws Exception {
    PythonWorker worker = listening();
    List<String> inner = worker.argv(python.python(), script, List.of("from", "below"));
    List<String> args = new java.util.ArrayList<>(List.of("call"));
    args.addAll(inner.subList(1, inner.size())); // the worker's child runs the client again
    ProcessRunner.Result r = run(worker.argv(python.python(), script, args), "nested", TIMEOUT);
    assertThat(r.exitCode()).isEqualTo(126); // refused, never run
    assertThat(r.output()).doesNotContain("args ['from', 'below']");
    assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
        .containsPattern("refused a call from process \\d+, which runs below the worker");
  }

  @Test
  void aCallStoppedAtItsTimeLimitTakesTheWorkersChildWithIt() throws Exception {
    PythonWorker worker = listening();
    Path pidFile = ws.scratch().resolve("child.pid");
    Files.deleteIfExists(pidFile);

    ProcessRunner.Result r =
        run(
            worker.argv(python.python(), script, List.of("sleep")),
            pidFile.toString(),
            Duration.ofSeconds(3));

    assertThat(r.timedOut()).isTrue();
    long child = Long.parseLong(Files.readString(pidFile).strip());
    for (int i = 0;
        i < 500 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(10);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(worker.alive()).isTrue();
  }

  @Test
  void aWorkerKilledDuringACallFailsTheCallAndTakesItsChildWithIt() throws Exception {
    PythonWorker worker = listening();
    Path pidFile = ws.scratch().resolve("child.pid");
    Files.deleteIfExists(pidFile);
    var call =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                run(
                    worker.argv(python.python(), script, List.of("sleep")),
                    pidFile.toString(),
                    TIMEOUT));
    for (int i = 0; i < 2000 && !Files.exists(pidFile); i++) {
      Thread.sleep(10);
    }
    Thread.sleep(100); // the pid is written whole
    long child = Long.parseLong(Files.readString(pidFile).strip());
    ProcessHandle.of(workerPid()).orElseThrow().destroyForcibly();

    ProcessRunner.Result r = call.get(30, java.util.concurrent.TimeUnit.SECONDS);

    // never run a second time beside a child that may still be at work
    assertThat(r.exitCode()).isEqualTo(70);
    assertThat(r.output()).contains("etask's Python worker stopped during the call");
    for (int i = 0;
        i < 500 && ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(10);
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void aSocketThatIsNotTheProcessEtaskStartedIsNeverUsed() throws Exception {
    PythonWorker worker = listening();
    List<String> argv = new ArrayList<>(worker.argv(python.python(), script, List.of("x")));
    argv.set(6, String.valueOf(ProcessHandle.current().pid())); // the pid the client expects

    ProcessRunner.Result r = run(argv, "own", TIMEOUT);

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.output()).contains("var own").doesNotContain("parent " + workerPid());
  }

  @Test
  void aScriptTheWorkerWasNotStartedForIsRefusedAndNeverRuns() throws Exception {
    PythonWorker worker = listening();
    Path other = ws.scratch().resolve("other.py");
    Path marker = ws.scratch().resolve("ran");
    Files.deleteIfExists(marker);
    Files.writeString(other, "open(" + pyString(marker.toString()) + ", 'w').write('x')\n");

    ProcessRunner.Result r = run(worker.argv(python.python(), other, List.of()), "x", TIMEOUT);

    assertThat(r.exitCode()).isEqualTo(126);
    assertThat(marker).doesNotExist();
    assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
        .contains("refused a call of '" + other + "'");
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Test
  void aProjectThatPytestOrCoverageImportThemselvesIsNotServed() throws Exception {
    // pytest's own modules lie in the folder the worker serves: a project pytest depends on
    // (pluggy, say) would be imported before coverage starts, its import never measured
    PythonWorker worker = start(ws.venv(), "python-worker-refused.log");

    for (int i = 0; i < 2000 && worker.alive(); i++) {
      Thread.sleep(10);
    }
    assertThat(worker.alive()).isFalse();
    assertThat(worker.listening()).isFalse();
    assertThat(Files.readString(ws.logs().resolve("python-worker-refused.log")))
        .contains("not serving")
        .contains("is imported by pytest or coverage themselves");
  }

  @Test
  void aWorkerThatWentAwayIsReplacedAndCallsMeanwhileRunOnTheirOwn() throws Exception {
    PythonWorker worker = listening();
    List<String> argv = worker.argv(python.python(), script, List.of());
    ProcessHandle gone = ProcessHandle.of(workerPid()).orElseThrow();
    gone.destroyForcibly();
    gone.onExit().get();

    ProcessRunner.Result own = run(argv, "alone", TIMEOUT);
    assertThat(own.exitCode()).isEqualTo(3);
    assertThat(own.output()).contains("var alone");
    assertThat(worker.alive()).isFalse();

    PythonWorker.Slot slot = new PythonWorker.Slot();
    slot.enable();
    Path quality = python.script("test_quality.py");
    Path tests = ws.repo().resolve("test_probe.py");
    Files.writeString(tests, "def test_x():\n    assert 1 == 1\n");
    slot.argv(python, ws, "test", quality, List.of(), List.of()); // starts a new one
    waitForSocket(ws.output("test").resolve("worker.sock"));
    ProcessRunner.Result again =
        run(
            slot.argv(python, ws, "test", quality, List.of("test_probe.py"), List.of()),
            "back",
            TIMEOUT);
    assertThat(again.exitCode()).isZero();
    assertThat(again.output()).contains("test_probe.py::test_x: only tautological assertions");
    assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
        .contains("served etask-test_quality.py test_probe.py: exit 0");
    slot.stop();
    assertThat(ws.output("test").resolve("worker.sock")).doesNotExist();
  }

  @Test
  void theFirstCallWaitsForAWorkerStillImportingAndTheWaitIsNotEtasksOwnTime() throws Exception {
    PythonWorker.Slot slot = new PythonWorker.Slot();
    slot.enable();
    Path quality = python.script("test_quality.py");
    Files.writeString(ws.repo().resolve("test_probe.py"), "def test_x():\n    assert 1 == 1\n");
    long busy = runner.busyNanos();
    long t0 = System.nanoTime();
    // the worker starts with this call and is still importing pytest and coverage: the call waits
    List<String> argv = slot.argv(python, ws, "test", quality, List.of("test_probe.py"), List.of());
    long waited = System.nanoTime() - t0;
    assertThat(argv).contains("call"); // the worker's client, not a process of its own
    assertThat(ws.output("test").resolve("worker.sock")).exists();
    assertThat(runner.busyNanos() - busy).isGreaterThanOrEqualTo(waited / 2);
    ProcessRunner.Result r = run(argv, "first", TIMEOUT);
    assertThat(r.exitCode()).isZero();
    assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
        .contains("served etask-test_quality.py test_probe.py: exit 0");

    slot.stop();

    // a worker that ends without listening (it refuses the folder) is not waited for any longer
    PythonWorker refused = start(ws.venv(), "python-worker-refused-wait.log");
    assertThat(refused.awaitListening()).isFalse();
    for (int i = 0; i < 2000 && refused.alive(); i++) {
      Thread.sleep(10);
    }
    assertThat(refused.listening()).isFalse();
  }

  @Test
  void aWorkerStillImportingAfterItsFirstSecondsIsWaitedForWhileItWorksAndAStuckOneIsNot()
      throws Exception {
    // as on a busy machine: the worker needs processor time for longer than WORTH_WAITING
    PythonWorker busy = delayed("busy", "while time.monotonic() < end:\n    pass\n");
    long t0 = System.nanoTime();
    assertThat(busy.awaitListening()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(PythonWorker.WORTH_WAITING);
    assertThat(busy.listening()).isTrue();
    busy.stop();

    // a worker that uses no processor time (a hung import) is given up on soon after
    PythonWorker stuck = delayed("stuck", "time.sleep(end - time.monotonic())\n");
    t0 = System.nanoTime();
    assertThat(stuck.awaitListening()).isFalse();
    Duration waited = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(waited).isGreaterThanOrEqualTo(PythonWorker.WORTH_WAITING);
    assertThat(waited)
        .isLessThan(PythonWorker.WORTH_WAITING.plus(PythonWorker.STALLED.multipliedBy(3)));
    assertThat(stuck.alive()).isTrue(); // still starting: only the call does not wait any longer
    t0 = System.nanoTime();
    assertThat(stuck.awaitListening()).isFalse(); // nor does the next call
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PythonWorker.STALLED);
    stuck.stop();
  }

  /**
   * A worker that first spends {@link PythonWorker#WORTH_WAITING} plus two seconds in {@code delay}
   * (with {@code end} the time it may go on until), then becomes the real worker.
   */
  private PythonWorker delayed(String name, String delay) throws Exception {
    Path wrapper = ws.scratch().resolve(name + "_worker.py");
    Files.writeString(
        wrapper,
        "import os, sys, time\n"
            + "end = time.monotonic() + "
            + (PythonWorker.WORTH_WAITING.toMillis() + 2000) / 1000.0
            + "\n"
            + delay
            + "real = "
            + "'"
            + python.script("python_worker.py")
            + "'\n"
            + "os.execv(sys.executable, [sys.executable, real] + sys.argv[1:])\n");
    PythonWorker worker =
        PythonWorker.start(
            runner,
            python.python(),
            wrapper,
            List.of(script),
            null,
            ws.worker().resolve("python.sock"),
            ws.repo(),
            python.environment("test"),
            ws.logs().resolve("python-worker-" + name + ".log"),
            null,
            "test");
    assertThat(worker).isNotNull();
    return worker;
  }

  @Test
  void theWorkerCompilesTheVenvAndTheStandardLibraryThroughASharedCacheThatSurvivesDamage()
      throws Exception {
    Path bytecode = ws.scratch().resolve("bytecode");
    FileTrees.delete(bytecode);
    Path probe = ws.scratch().resolve("bytecode_probe.py");
    Files.writeString(
        probe,
        "import json, os, sys\n"
            + "import _pytest.python as p\n"
            + "sys.path.insert(0, os.getcwd())\n"
            + "import bytecode_project\n"
            + "print('pytest', type(p.__spec__.loader).__name__,"
            + " p.PyobjMixin.getmodpath.__code__.co_filename == p.__file__)\n"
            + "print('stdlib', type(json.decoder.__spec__.loader).__name__,"
            + " json.decoder.JSONDecoder.decode.__code__.co_filename == json.decoder.__file__)\n"
            + "print('project', type(bytecode_project.__spec__.loader).__name__)\n"
            + "import colorsys\n"
            + "print('child', type(colorsys.__spec__.loader).__name__)\n");
    Files.writeString(ws.repo().resolve("bytecode_project.py"), "X = 1\n");

    String first = probeWithBytecode(probe, bytecode);
    assertThat(first)
        .contains("pytest CachedSourceLoader True")
        .contains("stdlib CachedSourceLoader True")
        .contains("project SourceFileLoader") // the clone's code is never cached
        .contains("child SourceFileLoader"); // nor what a child imports (after a generator ran)
    List<Path> entries = entries(bytecode);
    assertThat(entries).hasSizeGreaterThan(50);

    // entries another task wrote (code that names another venv's files): read as this venv's
    rewrite(entries, "open(e, 'wb').write(hashlib.sha256(payload).digest() + payload)\n");
    assertThat(probeWithBytecode(probe, bytecode)).isEqualTo(first);

    // damaged entries (a checksum that does not match, a file cut short): compiled again, replaced
    rewrite(entries, "open(e, 'wb').write(d[:32] + payload if n % 2 else d[:40])\n");
    assertThat(probeWithBytecode(probe, bytecode)).isEqualTo(first);
    for (Path e : entries(bytecode)) {
      byte[] d = Files.readAllBytes(e);
      assertThat(java.util.Arrays.copyOf(d, 32))
          .as(e.toString())
          .isEqualTo(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(java.util.Arrays.copyOfRange(d, 32, d.length)));
    }
    assertThat(entries(bytecode)).hasSameSizeAs(entries);
  }

  /**
   * Runs {@code write} for every entry, with {@code d} its bytes and {@code payload} its code moved
   * to another venv's path.
   */
  private void rewrite(List<Path> entries, String write) {
    pythonCode(
        "import hashlib, marshal, sys\n"
            + "def moved(c):\n"
            + "    consts = tuple(moved(k) if hasattr(k, 'co_filename') else k"
            + " for k in c.co_consts)\n"
            + "    return c.replace(co_filename='/elsewhere' + c.co_filename,"
            + " co_consts=consts)\n"
            + "for n, e in enumerate(sys.argv[1:]):\n"
            + "    d = open(e, 'rb').read()\n"
            + "    payload = marshal.dumps(moved(marshal.loads(d[32:])))\n"
            + "    "
            + write,
        entries.stream().map(Path::toString).toArray(String[]::new));
  }

  /** {@code python -c CODE ARGS...} with the venv's Python in the clone; it must exit 0. */
  private String pythonCode(String code, String... args) {
    List<String> argv = new ArrayList<>(List.of(python.python().toString(), "-c", code));
    argv.addAll(List.of(args));
    ProcessRunner.Result r =
        runner.run(new Command(argv, ws.repo(), python.environment("test"), TIMEOUT, null));
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output();
  }

  private String probeWithBytecode(Path probe, Path bytecode) throws Exception {
    PythonWorker worker =
        PythonWorker.start(
            runner,
            python.python(),
            python.script("python_worker.py"),
            List.of(probe),
            bytecode,
            ws.worker().resolve("python.sock"),
            ws.repo(),
            python.environment("test"),
            ws.logs().resolve("python-worker-bytecode.log"),
            null,
            "test");
    assertThat(worker).isNotNull();
    waitForSocket();
    ProcessRunner.Result r = run(worker.argv(python.python(), probe, List.of()), "bc", TIMEOUT);
    worker.stop();
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output();
  }

  private static List<Path> entries(Path folder) throws Exception {
    try (var files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void aCompileThatWarnsIsNotKeptSoItsWarningIsSaidEveryTime() throws Exception {
    Path site;
    try (var libs = Files.list(ws.venv().resolve("lib"))) {
      site = libs.findFirst().orElseThrow().resolve("site-packages");
    }
    Path warns = site.resolve("etask_probe_warns.py");
    Path quiet = site.resolve("etask_probe_quiet.py");
    Files.writeString(warns, "PATTERN = \"\\d\"\n"); // an invalid escape: a warning
    Files.writeString(quiet, "PATTERN = 1\n");
    Path both = ws.scratch().resolve("bytecode-warns");
    FileTrees.delete(both);
    try {
      for (int run = 0; run < 2; run++) {
        assertThat(importThroughCache(both, "etask_probe_warns, etask_probe_quiet"))
            .as("run " + run)
            .contains("loaded CachedSourceLoader")
            .contains("Warning: invalid escape sequence");
      }
      String kept =
          pythonCode(
              "import marshal, os, sys\n"
                  + "for d, _, files in os.walk(sys.argv[1]):\n"
                  + "    for f in files:\n"
                  + "        data = open(os.path.join(d, f), 'rb').read()\n"
                  + "        print(os.path.basename(marshal.loads(data[32:]).co_filename))\n",
              both.toString());
      assertThat(kept.lines())
          .contains("etask_probe_quiet.py")
          .doesNotContain("etask_probe_warns.py");
    } finally {
      Files.deleteIfExists(warns);
      Files.deleteIfExists(quiet);
    }
  }

  /** Imports {@code modules} in a Python that has the worker's bytecode cache in {@code folder}. */
  private String importThroughCache(Path folder, String modules) {
    return pythonCode(
        "import runpy, sys, warnings\n"
            + "warnings.simplefilter('always')\n"
            + "worker = runpy.run_path(sys.argv[1], run_name='probe')\n"
            + "worker['keep_bytecode'](sys.argv[2])\n"
            + "import "
            + modules
            + "\n"
            + "print('loaded', type(sys.modules['etask_probe_quiet'].__spec__.loader).__name__)\n",
        python.script("python_worker.py").toString(),
        folder.toString());
  }
}
