package dev.etask.core.workspace;

import dev.etask.core.process.Confinement;
import dev.etask.core.process.Confinement.Mount;
import dev.etask.core.process.Sandbox;
import dev.etask.core.spec.Hints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How each untrusted process of a task is held: the generator, the gate processes (the tests under
 * coverage, ruff, mypy, the Python worker and its children) and the bytecode pre-pass. Every one
 * runs under the reaper; with the sandbox on, each also gets a mount table of its own:
 *
 * <ul>
 *   <li>always read-only: the system folders, the interpreter's prefix, the virtualenv and etask's
 *       helpers; HOME ({@link Workspace#home}) and {@code /tmp} empty, in memory;
 *   <li>the generator: the clone writable with its {@code .git} read-only, the attempt's {@code
 *       scratch/} writable, {@code {spec_dir}} and {@code generator.mounts} read-only;
 *   <li>the tests: the measurement's copy of the exact tree at the clone's path (or, for a checkout
 *       validated by hand, {@link #onCheckout}, the checkout itself) writable with {@code .git}
 *       read-only, the reports of earlier measurements read-only, the measurement's output folder
 *       writable;
 *   <li>ruff and mypy: the clone read-only, their own cache and the tools' output folder writable.
 * </ul>
 *
 * Never mounted: the user's home, {@code ~/.m2}, the shared cache folder (but the worker's
 * bytecode, read-only), other workspaces and their sockets, the workspace's state and logs.
 */
public final class Confinements {
  private final Workspace ws;
  private final boolean sandboxed;
  private final boolean gatesNetwork;
  private final Path cacheDir;
  private final Path sharedBytecode;
  private final boolean live;

  /**
   * {@code cacheDir}: what tasks share on this machine, or null; with the sandbox its {@code
   * bytecode/} is the worker's cache shared by every task (filled by a trusted pre-pass and
   * read-only inside), and the folder itself is never visible.
   */
  public Confinements(Workspace ws, boolean sandboxed, boolean gatesNetwork, Path cacheDir) {
    this(ws, sandboxed, gatesNetwork, cacheDir, false);
  }

  private Confinements(
      Workspace ws, boolean sandboxed, boolean gatesNetwork, Path cacheDir, boolean live) {
    this.ws = ws;
    this.sandboxed = sandboxed;
    this.gatesNetwork = gatesNetwork;
    this.cacheDir = cacheDir;
    this.sharedBytecode = sandboxed && cacheDir != null ? cacheDir.resolve("bytecode") : null;
    this.live = live;
  }

  /** Without a sandbox: every untrusted process runs as the user, under the reaper. */
  public static Confinements reapedOnly(Workspace ws) {
    return new Confinements(ws, false, true, null);
  }

  /**
   * The same, for a checkout validated by hand: its tests run on the checkout itself (as the user's
   * own test run would), not on a copy of a recorded tree.
   */
  public Confinements onCheckout() {
    return new Confinements(ws, sandboxed, gatesNetwork, cacheDir, true);
  }

  public boolean sandboxed() {
    return sandboxed;
  }

  /** The same settings for the workspace {@code other} (a checkout validated by hand). */
  Confinements on(Workspace other) {
    return new Confinements(other, sandboxed, gatesNetwork, cacheDir, live);
  }

  /**
   * Where the worker compiles its own imports: shared and read-only with the sandbox (none when
   * nothing is shared), else the task's own folder; the task's own, read-only, too while the venv
   * holds what generated code made of it (its Python never writes what other tasks load).
   */
  Path bytecode() {
    if (!sandboxed || Files.exists(ws.venvFromGeneratedCode())) {
      return ws.bytecode();
    }
    return sharedBytecode;
  }

  /**
   * Whether the worker's bytecode is filled by a pre-pass before untrusted code, and read-only in
   * the sandbox.
   */
  boolean prefilledBytecode() {
    return sandboxed && bytecode() != null;
  }

  /**
   * The generator: the clone (its {@code .git} and its checked-out submodules read-only), {@code
   * scratch/}, what it may read.
   */
  public Confinement generator(Path specDir, List<Path> mounts, boolean network) {
    List<Mount> m = new ArrayList<>();
    if (sandboxed) {
      m.add(Mount.readOnly(specDir));
      mounts.forEach(p -> m.add(Mount.readOnly(p)));
      m.addAll(masks(m)); // the work folder and the caches beside the spec stay out of sight
    }
    m.addAll(common());
    if (sandboxed && Files.isDirectory(ws.generatorTools())) {
      m.add(Mount.readOnly(ws.generatorTools()));
    }
    m.add(Mount.writable(ws.repo()));
    m.add(Mount.readOnly(ws.repo().resolve(".git")));
    submodules(m);
    m.add(Mount.writable(ws.scratch()));
    m.add(Mount.tmpfs(ws.home()));
    return confinement(m, network);
  }

  /**
   * A process of measurement {@code label} that runs the repository's code (its tests, under
   * coverage): the measurement's tree and output folder writable, nothing else.
   */
  Confinement tests(String label) {
    return confinement(sandboxed ? testMounts(label) : List.of(), gatesNetwork);
  }

  /**
   * The Python worker of measurement {@code label}: what its tests see, and the bytecode of its own
   * imports (read-only when shared). It runs no reaper: it is the subreaper of its children.
   */
  Confinement worker(String label) {
    if (!sandboxed) {
      return new Confinement(false, List.of(), true, List.of());
    }
    List<Mount> m = testMounts(label);
    Path bytecode = bytecode();
    if (bytecode != null && Files.isDirectory(bytecode)) {
      m.add(Mount.readOnly(bytecode));
    }
    return new Confinement(true, m, gatesNetwork, List.of());
  }

  /**
   * A tool of measurement {@code label} that reads the clone and never runs its code (ruff, mypy):
   * the clone read-only, its own {@code cache} and the tools' output folder writable (the tests
   * never see that one).
   */
  Confinement tool(String label, Path cache) {
    List<Mount> m = common();
    m.add(Mount.readOnly(ws.repo()));
    m.add(Mount.writable(cache));
    m.add(Mount.writable(ws.toolOutput(label)));
    m.add(Mount.tmpfs(ws.home()));
    return confinement(m, gatesNetwork);
  }

  /**
   * The bytecode pre-pass: imports what the worker imports, before any untrusted code of the task
   * runs, with nothing writable but the shared bytecode folder.
   */
  Confinement prepass() {
    List<Mount> m = common();
    m.add(Mount.writable(bytecode()));
    m.add(Mount.tmpfs(ws.home()));
    return new Confinement(sandboxed, m, false, reaper());
  }

  /** The virtualenv's interpreter alone, nothing writable: to see that it starts in a sandbox. */
  Confinement interpreter() {
    List<Mount> m = common();
    m.add(Mount.tmpfs(ws.home()));
    return new Confinement(sandboxed, m, false, List.of());
  }

  /**
   * Starts {@code python} in the sandbox once (see {@link PythonEnvironment#confirmSandbox}); an
   * {@code ENV_FAILED} error when it cannot. Does nothing without a sandbox.
   */
  void confirm(
      dev.etask.core.process.ProcessRunner runner,
      Path python,
      java.util.Map<String, String> environment,
      Path log) {
    if (!sandboxed) {
      return;
    }
    dev.etask.core.process.ProcessRunner.Result r =
        runner.run(
            new dev.etask.core.process.Command(
                    List.of(python.toString(), "-I", "-S", "-c", "import encodings, os"),
                    ws.root(),
                    environment,
                    java.time.Duration.ofMinutes(1),
                    log)
                .confined(interpreter()));
    if (!r.ok()) {
      throw new dev.etask.core.spec.EtaskException(
          dev.etask.core.spec.EtaskException.Code.ENV_FAILED,
          "the virtualenv's Python does not start in the sandbox: "
              + PythonEnvironment.lastLines(r.output(), 3),
          Hints.foreignInterpreter());
    }
  }

  /** A call to a worker: it runs as the user, and what it falls back to is confined itself. */
  Confinement workerCall() {
    return Confinement.reaped(List.of());
  }

  private List<Mount> testMounts(String label) {
    List<Mount> m = common();
    Path reports = ws.reports();
    if (Files.isDirectory(reports)) {
      m.add(Mount.readOnly(reports));
    }
    if (live) {
      m.add(Mount.writable(ws.repo()));
    } else {
      Path copy = ws.stagedTree();
      if (!Files.isDirectory(copy)) {
        throw new IllegalStateException("the tree of measurement " + label + " was not made");
      }
      m.add(Mount.writable(copy, ws.repo()));
    }
    submodules(m); // as the clone holds them (never a batch's)
    if (Files.isDirectory(ws.repo().resolve(".git"))) {
      m.add(Mount.readOnly(ws.repo().resolve(".git")));
    }
    m.add(Mount.writable(ws.output(label)));
    m.add(Mount.tmpfs(ws.home()));
    return m;
  }

  /** The checked-out submodules' folders, read-only: no generator or test changes their files. */
  private void submodules(List<Mount> m) {
    if (sandboxed) {
      for (String folder : dev.etask.core.git.Submodules.checkedOut(ws.repo()).keySet()) {
        m.add(Mount.readOnly(ws.repo().resolve(folder)));
      }
    }
  }

  /**
   * Empty folders over what must never be visible when a folder mounted so far ({@code mounts})
   * holds it: every task's workspace and artifacts, the caches tasks share, your home. What the
   * process needs of them is mounted again on top.
   */
  private List<Mount> masks(List<Mount> mounts) {
    List<Mount> out = new ArrayList<>();
    for (Path p : hidden()) {
      // hidden when it lies inside a mounted folder, unless a folder mounted on purpose (the
      // spec's, generator.mounts) lies inside it
      if (Files.isDirectory(p)
          && mounts.stream().anyMatch(x -> p.startsWith(x.path()) && !p.equals(x.path()))
          && mounts.stream().noneMatch(x -> x.path().startsWith(p))
          && out.stream().noneMatch(x -> p.startsWith(x.path()))) {
        out.add(Mount.tmpfs(p));
      }
    }
    return out;
  }

  /** Every task's workspace and artifacts, the caches tasks share, your home. */
  private List<Path> hidden() {
    List<Path> hidden = new ArrayList<>();
    hidden.add(ws.root().getParent());
    hidden.add(ws.artifacts().getParent());
    if (cacheDir != null) {
      hidden.add(cacheDir);
    }
    hidden.add(Path.of(System.getProperty("user.home")));
    return hidden.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  private Confinement confinement(List<Mount> mounts, boolean network) {
    return new Confinement(sandboxed, sandboxed ? mounts : List.of(), network, reaper());
  }

  /** What every sandboxed process reads: the interpreter, the virtualenv, etask's helpers. */
  private List<Mount> common() {
    List<Mount> m = new ArrayList<>();
    if (!sandboxed) {
      return m;
    }
    m.addAll(prefixMounts(interpreterPrefixes()));
    if (Files.isDirectory(ws.venv())) {
      m.add(Mount.readOnly(ws.venv()));
    }
    m.add(Mount.readOnly(helpers()));
    return m;
  }

  /** The folders the interpreter {@code python} lives in, read-only (none in system folders). */
  List<Mount> interpreterMounts(Path python) {
    Set<Path> prefixes = new LinkedHashSet<>();
    try {
      prefixes.add(python.toRealPath().getParent().getParent());
    } catch (IOException e) {
      // an interpreter that is not there fails to start, saying so
    }
    prefixes.removeIf(
        p -> p.getParent() == null || Sandbox.SYSTEM.stream().anyMatch(s -> p.startsWith(s)));
    return prefixMounts(prefixes);
  }

  private List<Mount> prefixMounts(Set<Path> prefixes) {
    List<Mount> m = new ArrayList<>();
    for (Path prefix : prefixes) {
      if (hidden().stream().noneMatch(h -> h.startsWith(prefix))) {
        m.add(Mount.readOnly(prefix));
      } else { // a Python installed right in your home (or above the work folder): its folders
        for (String sub : List.of("bin", "lib", "lib64", "include")) {
          if (Files.isDirectory(prefix.resolve(sub))) {
            m.add(Mount.readOnly(prefix.resolve(sub)));
          }
        }
      }
    }
    return m;
  }

  /**
   * The reaper's command: the virtualenv's interpreter without its site (no {@code .pth} file runs)
   * and without the caller's environment.
   */
  List<String> reaper() {
    return reaper(ws.venv().resolve("bin").resolve("python"));
  }

  /** The same, with the interpreter {@code python} (the virtualenv's is not there yet). */
  List<String> reaper(Path python) {
    Path script = writeHelper("etask-reaper.py", Sandbox.reaperScript());
    return List.of(python.toString(), "-I", "-S", script.toString());
  }

  /** The folder of etask's scripts, made when missing. */
  Path helpers() {
    try {
      return Files.createDirectories(ws.helpers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes one of etask's scripts into the helpers folder when missing or not what etask ships
   * (without a sandbox a test could have changed it).
   */
  Path writeHelper(String name, byte[] bytes) {
    try {
      return ws.helper(name, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The folders the virtualenv's interpreter lives in, outside the system folders: where its link
   * points ({@code pyenv}, uv's managed Pythons) and the {@code home} of {@code pyvenv.cfg}.
   */
  private Set<Path> interpreterPrefixes() {
    Set<Path> out = new LinkedHashSet<>();
    try {
      Path real = ws.venv().resolve("bin").resolve("python").toRealPath();
      out.add(real.getParent().getParent());
    } catch (IOException e) {
      // no venv yet
    }
    Path cfg = ws.venv().resolve("pyvenv.cfg");
    if (Files.isRegularFile(cfg)) {
      try {
        for (String line : Files.readAllLines(cfg)) {
          String[] kv = line.split("=", 2);
          if (kv.length == 2 && kv[0].strip().equals("home")) {
            Path home = Path.of(kv[1].strip());
            if (Files.isDirectory(home)) {
              out.add(home.toRealPath().getParent());
            }
          }
        }
      } catch (IOException e) {
        // the link above is enough
      }
    }
    out.removeIf(
        p -> p.getParent() == null || Sandbox.SYSTEM.stream().anyMatch(s -> p.startsWith(s)));
    return out;
  }
}
