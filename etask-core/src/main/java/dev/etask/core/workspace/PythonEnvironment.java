package dev.etask.core.workspace;

import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The task's virtualenv: built once per workspace (uv when it is on PATH, else pip, always with the
 * machine's own index configuration), reused while the install inputs are unchanged.
 */
public final class PythonEnvironment {
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration QUICK = Duration.ofMinutes(2);

  private final Workspace workspace;
  private final ProcessRunner runner;
  private final Environments environments;
  private GateVariables gateVariables;
  private final List<Path> pythonPath;
  private final Path uv;
  private List<String> notes = List.of();
  private Path tools;
  private String toolsInterpreter = "python3";
  private Optional<Path> resolvedUv;
  private final PythonWorker.Slot worker = new PythonWorker.Slot();
  private Confinements confinements;

  public PythonEnvironment(Workspace workspace, ProcessRunner runner) {
    this(workspace, runner, List.of(), null);
  }

  /**
   * {@code uv}: the uv executable to install with; null means uv from PATH when there is one, else
   * pip.
   */
  public PythonEnvironment(
      Workspace workspace, ProcessRunner runner, List<Path> pythonPath, Path uv) {
    this(workspace, runner, Environments.of(workspace.home()), List.of(), pythonPath, uv);
  }

  /**
   * {@code environments}: what each child may see; {@code gateVariables}: the names in {@code
   * python.env} the gates get on top; {@code pythonPath} goes in front of PYTHONPATH (it makes a
   * copy of a checkout win over an editable install).
   */
  public PythonEnvironment(
      Workspace workspace,
      ProcessRunner runner,
      Environments environments,
      List<String> gateVariables,
      List<Path> pythonPath,
      Path uv) {
    this.workspace = workspace;
    this.runner = runner;
    this.environments = environments;
    this.gateVariables = new GateVariables(gateVariables);
    this.pythonPath = List.copyOf(pythonPath);
    this.uv = uv;
  }

  /**
   * The same environment (venv, settings) measuring another checkout, with {@code pythonPath} in
   * front.
   */
  public PythonEnvironment on(Workspace checkout, List<Path> pythonPath) {
    PythonEnvironment on =
        new PythonEnvironment(checkout, runner, environments, List.of(), pythonPath, uv)
            .confinedBy(confinements == null ? null : confinements.on(checkout));
    on.gateVariables = gateVariables.copy();
    return on;
  }

  /**
   * The variables the project's own test command sets ({@code set_env} of its tox environment,
   * "{repo}" standing for the checkout): every gate process gets them, under {@code python.env}.
   */
  public void useTestEnvironment(Map<String, String> variables) {
    gateVariables.useProject(variables);
  }

  /**
   * How the untrusted processes of this environment are held (the gates: the tests, ruff, mypy, the
   * worker); null runs them as plain children (etask's own tests of this class).
   */
  public PythonEnvironment confinedBy(Confinements held) {
    this.confinements = held;
    return this;
  }

  /** See {@link #confinedBy}. */
  public Confinements confinements() {
    return confinements;
  }

  /**
   * Where the package sets uv resolved are kept for other tasks (beside the tools folder), or null
   * when nothing is shared.
   */
  Path resolutions() {
    return tools == null ? null : tools.resolveSibling("resolutions");
  }

  /**
   * Where the Python worker keeps the compiled bytecode of its own imports (pytest, coverage, the
   * standard library) for other tasks (beside the tools folder), or null (no shared cache folder):
   * see python_worker.py's keep_bytecode.
   */
  Path bytecode() {
    return tools == null ? null : tools.resolveSibling("bytecode");
  }

  /**
   * Where etask may install uv when it is not on PATH ({@code <cacheDir>/tools}), with which
   * interpreter's pip; without it, pip builds the venv when uv is not on PATH.
   */
  public PythonEnvironment withTools(Path tools, String interpreter) {
    this.tools = tools;
    this.toolsInterpreter = interpreter;
    return this;
  }

  /**
   * The installer this environment uses: uv when given or on PATH, else the uv etask installed in
   * its tools folder (installing it the first time), else pip.
   */
  public synchronized Optional<Path> uv() {
    if (uv != null) {
      return Optional.of(uv);
    }
    if (resolvedUv == null) {
      resolvedUv = UvBootstrap.findOnPath("uv");
      if (resolvedUv.isEmpty() && tools != null) {
        resolvedUv =
            UvBootstrap.ensure(
                tools,
                toolsInterpreter,
                runner,
                environments,
                workspace.root(),
                workspace.logs().resolve("prepare-env.log"));
      }
    }
    return resolvedUv;
  }

  ProcessRunner runner() {
    return runner;
  }

  public Path python() {
    return workspace.venv().resolve("bin").resolve("python");
  }

  /**
   * The Python of the built-in generators' own environment holding {@code packages}, built when
   * missing (see {@link GeneratorTools}).
   */
  public Path generatorTools(List<String> packages) {
    return GeneratorTools.ensure(
        workspace, runner, environments.forInstall(), uv(), python(), packages);
  }

  public Path bin(String tool) {
    return workspace.venv().resolve("bin").resolve(tool);
  }

  /**
   * The environment a gate process of measurement {@code label} runs in: the allowlist plus {@code
   * python.env}, the venv first on PATH, every by-product out of the clone, in the measurement's
   * output folder; a fresh, empty bytecode prefix of its own (a {@code .pyc} planted where Python
   * looks for one is imported even with {@code PYTHONDONTWRITEBYTECODE}).
   */
  public Map<String, String> environment(String label) {
    return environment(label, false);
  }

  /**
   * The same for a process that runs the repository's tests: with the variables its test command
   * sets ({@link #useTestEnvironment}). Never for a tool or etask's own pre-pass: a PYTHONPATH into
   * the clone would put the clone's modules before the tool's own.
   */
  public Map<String, String> testEnvironment(String label) {
    return environment(label, true);
  }

  private Map<String, String> environment(String label, boolean tests) {
    Map<String, String> passed = gateVariables.of(environments, workspace.repo(), tests);
    Map<String, String> env = withVenv(passed);
    Path out = workspace.output(label);
    env.put("COVERAGE_FILE", out.resolve(".coverage").toString());
    try {
      Files.createDirectories(out);
      Path prefix = out.resolve("pycache-" + java.util.UUID.randomUUID());
      Files.createDirectory(prefix);
      env.put("PYTHONPYCACHEPREFIX", prefix.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    if (confinements != null && confinements.sandboxed()) {
      env.put("TMPDIR", "/tmp"); // the sandbox's own
    }
    return env;
  }

  /**
   * A gate process of measurement {@code label} that runs the repository's code (its tests, under
   * coverage, or a helper that imports them), held as {@link Confinements#tests} says; a call to
   * the worker runs as the user, and what it falls back to is held so.
   */
  public dev.etask.core.process.Command gate(
      String label, List<String> argv, Duration timeout, Path log) {
    dev.etask.core.process.Command command =
        new dev.etask.core.process.Command(
            argv, workspace.repo(), testEnvironment(label), timeout, log);
    if (confinements == null) {
      return command;
    }
    boolean workerCall =
        argv.size() > 4
            && argv.get(3).equals(workspace.helpers().resolve("etask-python_worker.py").toString())
            && argv.get(4).equals("call");
    return command.confined(workerCall ? confinements.workerCall() : confinements.tests(label));
  }

  /**
   * A tool of measurement {@code label} that reads the clone and never runs its code (ruff, mypy):
   * the clone read-only, {@code cache} its only writable folder.
   */
  public dev.etask.core.process.Command tool(
      String label, List<String> argv, Path cache, Duration timeout, Path log) {
    try {
      Files.createDirectories(cache);
      Files.createDirectories(workspace.toolOutput(label));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    dev.etask.core.process.Command command =
        new dev.etask.core.process.Command(
            argv, workspace.repo(), environment(label), timeout, log);
    return confinements == null ? command : command.confined(confinements.tool(label, cache));
  }

  public Environments environments() {
    return environments;
  }

  /**
   * The generator's environment: {@code base} with the venv first on PATH; the tools' by-products
   * (when the generator runs pytest or mypy itself) go to {@code scratch}, away from etask's
   * reports.
   */
  public Map<String, String> forGenerator(Map<String, String> base, Path scratch) {
    return VenvVariables.forGenerator(withVenv(base), scratch);
  }

  /** Puts the venv in front of {@code base} and points tool caches at the workspace. */
  public Map<String, String> withVenv(Map<String, String> base) {
    return VenvVariables.withVenv(workspace, pythonPath, base);
  }

  /**
   * Reads the repository's packaging files (see {@link ProjectInspection}). Uses the machine
   * interpreter: the venv may not exist yet.
   */
  public Project detect(String interpreter, TaskSpec.Python spec) {
    return ProjectInspection.run(
        runner, environments.base(), workspace, script("detect_project.py"), interpreter, spec);
  }

  /** Creates or reuses the venv; returns the resolved tool versions (see {@link VenvBuilder}). */
  public Map<String, String> ensure(
      String interpreter, Project project, Map<String, String> tools) {
    return ensure(interpreter, project, tools, false);
  }

  /**
   * The same; {@code generated}: the clone holds code the generator wrote, which a build runs: in
   * the sandbox when it is on ({@link ConfinedInstall}).
   */
  public Map<String, String> ensure(
      String interpreter, Project project, Map<String, String> tools, boolean generated) {
    stopWorker(); // it runs the venv's code as it was when it started
    VenvBuilder builder = new VenvBuilder(this, workspace, runner, environments);
    try {
      boolean confined = generated && confinements != null && confinements.sandboxed();
      return builder.ensure(interpreter, project, tools, confined ? confinements : null);
    } finally {
      notes = builder.notes();
    }
  }

  /** Locks uv.lock (poetry.lock: with {@code poetry}) again ({@link VenvBuilder#lock}). */
  public ProcessRunner.Result lock(
      String interpreter, String name, Path poetry, Path log, Duration timeout) {
    Confinements held = confinements != null && confinements.sandboxed() ? confinements : null;
    return new VenvBuilder(this, workspace, runner, environments)
        .lock(interpreter, name, poetry, log, timeout, held);
  }

  /** Whether the venv was built from exactly these inputs (no build is needed). */
  public boolean current(String interpreter, Project project, Map<String, String> tools) {
    return new VenvBuilder(this, workspace, runner, environments)
        .current(interpreter, project, tools);
  }

  /** What the last {@link #ensure} had to do differently from what was asked, for a warning. */
  public List<String> notes() {
    return notes;
  }

  /** Builds the virtualenv again next time (see {@link #ensure}). */
  public void invalidate() throws IOException {
    Files.deleteIfExists(workspace.venv().resolve(".etask-env"));
  }

  /** Runs {@link #helper}s in the task's {@link PythonWorker}, started at the first. */
  public void useWorker() {
    worker.enable();
  }

  /**
   * Starts the worker of measurement {@code label} now (it imports while etask goes on), when
   * {@link #useWorker}.
   */
  public void startWorker(String label) {
    worker.start(this, workspace, label);
  }

  /**
   * {@code python <helper script> ARGS...} for measurement {@code label} (run it with {@link
   * #gate}), in the worker of that measurement when there is one.
   */
  public List<String> helper(String label, String name, String... args) {
    Path script = script(name);
    List<String> fallback =
        confinements == null
            ? List.of()
            : confinements.tests(label).wrap(List.of(), workspace.repo());
    List<String> call = worker.argv(this, workspace, label, script, List.of(args), fallback);
    if (call != null) {
      return call;
    }
    List<String> own = new java.util.ArrayList<>(List.of(python().toString(), script.toString()));
    own.addAll(List.of(args));
    return own;
  }

  /**
   * Starts the virtualenv's Python in the sandbox once: a Python whose libraries lie outside its
   * prefix (Nix, some Homebrew builds) cannot run there, and every gate would fail. Does nothing
   * without a sandbox.
   */
  public void confirmSandbox() {
    if (confinements != null) {
      confinements.confirm(
          runner, python(), environments.base(), workspace.logs().resolve("prepare-env.log"));
    }
  }

  /**
   * Fills the bytecode cache the sandboxed workers share and only read, before any untrusted code
   * of the task runs (see {@link PythonWorker#prepareBytecode}).
   */
  public void prepareBytecode() {
    PythonWorker.prepareBytecode(this, workspace, QUICK);
  }

  /** Stops the task's worker (the next {@link #helper} starts a new one). */
  public void stopWorker() {
    worker.stop();
  }

  /**
   * One of etask's helper scripts in the workspace's helpers folder, for the venv's Python; written
   * only when missing or not what etask ships (it is asked for at every helper run).
   */
  public Path script(String name) {
    return HelperScripts.write(workspace, name);
  }

  static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }

  public static String lastLines(String output, int n) {
    String[] lines = output.strip().split("\n");
    int from = Math.max(0, lines.length - n);
    return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
  }
}
