package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a task's virtualenv: with uv when there is one (given pip's index settings), else with
 * pip, always with the machine's own package configuration; reused while its inputs (interpreter,
 * install arguments and the files they name, tool versions) are unchanged.
 */
final class VenvBuilder {
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration QUICK = Duration.ofMinutes(2);

  private final PythonEnvironment python;
  private final Workspace workspace;
  private final ProcessRunner runner;
  private final Environments environments;
  private final List<String> notes = new ArrayList<>();
  private ConfinedInstall confined;

  VenvBuilder(
      PythonEnvironment python,
      Workspace workspace,
      ProcessRunner runner,
      Environments environments) {
    this.python = python;
    this.workspace = workspace;
    this.runner = runner;
    this.environments = environments;
  }

  /**
   * The same; {@code held}: when not null, a build runs in the sandbox as {@link ConfinedInstall}
   * says (the clone holds code the generator wrote), and the venv is marked as made from it until a
   * build without it.
   */
  Map<String, String> ensure(
      String interpreter, Project project, Map<String, String> tools, Confinements held) {
    if (current(interpreter, project, tools)) {
      return ensure(interpreter, project, tools);
    }
    Path marker = workspace.venvFromGeneratedCode();
    try {
      if (held != null) {
        AtomicFiles.write(marker, ""); // before any of it runs
        confined =
            new ConfinedInstall(
                held,
                workspace,
                ConfinedInstall.executable(runner, environments.base(), workspace, interpreter),
                runner.redactor()::appearsIn);
      }
      Map<String, String> versions = ensure(interpreter, project, tools);
      if (held == null) {
        Files.deleteIfExists(marker);
      }
      return versions;
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED, "cannot write " + marker + ": " + e.getMessage(), Hints.workFolder(), e);
    }
  }

  /** Whether the venv was built from exactly these inputs. */
  boolean current(String interpreter, Project project, Map<String, String> tools) {
    try {
      Path marker = workspace.venv().resolve(".etask-env");
      return Files.isExecutable(python.python())
          && Files.exists(marker)
          && Files.readString(marker, StandardCharsets.UTF_8)
              .strip()
              .equals(project.venvFingerprint(interpreter, new java.util.TreeMap<>(tools)));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Creates or reuses the venv and returns the resolved tool versions. A marker in the venv records
   * a fingerprint of the inputs; a different fingerprint rebuilds it.
   */
  Map<String, String> ensure(String interpreter, Project project, Map<String, String> tools) {
    String fingerprint = project.venvFingerprint(interpreter, new java.util.TreeMap<>(tools));
    Path marker = workspace.venv().resolve(".etask-env");
    Path log = workspace.logs().resolve("prepare-env.log");
    try {
      if (Files.isExecutable(python.python())
          && Files.exists(marker)
          && Files.readString(marker, StandardCharsets.UTF_8).strip().equals(fingerprint)) {
        return toolVersions(tools);
      }
      FileTrees.delete(workspace.venv());
      Optional<Path> uv = python.uv();
      // pip's settings for uv (pip takes half a second to say them) while the venv is made
      java.util.concurrent.CompletableFuture<Map<String, String>> uvEnv =
          uv.isPresent() || confined != null
              ? java.util.concurrent.CompletableFuture.supplyAsync(
                  () -> installEnvironment(interpreter, uv.isPresent()))
              : null;
      create(interpreter, uv, uvEnv, log);
      List<String> asked = new ArrayList<>(project.install());
      tools.forEach((name, range) -> asked.add(name + range));
      asked.addAll(project.typeDependencies()); // what the project's mypy hook installs beside it
      Map<String, String> env = uvEnv != null ? uvEnv.join() : environments.forInstall();
      if (confined != null) {
        notes.addAll(confined.notes());
      }
      List<String> locked = lockConstraints(project);
      // what generated code declares is resolved afresh, and never kept for other tasks
      Path resolution =
          uv.isPresent() && confined == null ? resolutions().recent(fingerprint) : null;
      ProcessRunner.Result installed = installAll(project, asked, locked, resolution, env, log, uv);
      if (!installed.ok()) {
        throw new EtaskException(
            Code.ENV_FAILED,
            "installing the repository's requirements and the gate tools failed ("
                + String.join(" ", asked)
                + "): "
                + PythonEnvironment.lastLines(installed.output(), 12)
                + offlineNote()
                // what the install had to do without (credentials withheld from generated code)
                + (notes.isEmpty() ? "" : "\n" + String.join("\n", notes)),
            Hints.install(log, environments.installsOffline()));
      }
      if (uv.isPresent() && resolution == null && confined == null) {
        resolutions().remember(uv.get(), python.python(), fingerprint, env, workspace.repo(), log);
      }
      Map<String, String> versions = toolVersions(tools);
      AtomicFiles.write(marker, fingerprint + "\n");
      return versions;
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "could not build the virtualenv in " + workspace.venv() + ": " + e,
          Hints.workFolder(),
          e);
    }
  }

  /**
   * Locks the clone's lock file again: {@code uv.lock} with uv, upgrading {@code name} only; {@code
   * poetry.lock} with {@code poetry} (not null: Poetry 2's {@code poetry lock}, which keeps every
   * other version). {@code held}: in the sandbox as {@link ConfinedInstall} says (the tool may
   * build the project the generator changed).
   */
  ProcessRunner.Result lock(
      String interpreter, String name, Path poetry, Path log, Duration timeout, Confinements held) {
    Optional<Path> uv = python.uv();
    if (poetry == null && uv.isEmpty()) {
      return new ProcessRunner.Result(
          127,
          false,
          "uv.lock is locked again with uv, which is not available",
          Duration.ZERO,
          List.of());
    }
    if (held != null) {
      confined =
          new ConfinedInstall(
              held,
              workspace,
              ConfinedInstall.executable(runner, environments.base(), workspace, interpreter),
              runner.redactor()::appearsIn);
    }
    String base = confined != null ? confined.interpreter().toString() : interpreter;
    Map<String, String> env = installEnvironment(interpreter, true);
    List<String> argv;
    if (poetry != null) {
      argv = List.of(poetry.toString(), "lock", "--no-interaction");
      env.put("POETRY_CACHE_DIR", workspace.installCache().resolve("poetry").toString());
      env.put("POETRY_VIRTUALENVS_CREATE", "false");
      env.put("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring"); // no desktop keyring
      if (confined != null) {
        confined.readable(poetry.getParent().getParent()); // the tools' own virtualenv
      }
    } else {
      argv = List.of(uv.get().toString(), "lock", "--upgrade-package", name, "--python", base);
    }
    return runner.run(held(new Command(argv, workspace.repo(), env, timeout, log), uv));
  }

  /** What an install that failed offline should say: where its packages had to come from. */
  private String offlineNote() {
    return environments.installsOffline()
        ? "\nMaven runs offline (-o): packages come from uv's cache only, and it does not hold all"
            + " of these"
        : "";
  }

  /** Creates the venv (uv's from its cache first, then from the index; else Python's venv). */
  private void create(
      String interpreter,
      Optional<Path> uv,
      java.util.concurrent.CompletableFuture<Map<String, String>> uvEnv,
      Path log)
      throws IOException {
    String base = confined != null ? confined.interpreter().toString() : interpreter;
    List<String> create = new ArrayList<>();
    if (uv.isPresent()) {
      create.addAll(
          List.of(
              uv.get().toString(),
              "venv",
              "--seed",
              "--offline", // pip and setuptools from uv's cache: asking the index costs ~1 s
              "--python",
              base,
              workspace.venv().toString()));
    } else {
      create.addAll(List.of(base, "-m", "venv", workspace.venv().toString()));
    }
    Map<String, String> createEnv = confined != null ? uvEnv.join() : environments.forInstall();
    ProcessRunner.Result created =
        runner.run(held(new Command(create, workspace.repo(), createEnv, QUICK, log), uv));
    if (!created.ok() && uv.isPresent()) { // nothing to seed from in uv's cache yet: the index
      create.remove("--offline");
      FileTrees.delete(workspace.venv());
      created =
          runner.run(held(new Command(create, workspace.repo(), uvEnv.join(), QUICK, log), uv));
    }
    if (!created.ok()) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "could not create the virtualenv: "
              + PythonEnvironment.lastLines(created.output(), 8)
              + offlineNote(),
          Hints.venvModule(interpreter, log, environments.installsOffline()));
    }
  }

  /** pip's constraints for the versions the project's lock file pins (none without one). */
  private List<String> lockConstraints(Project project) throws IOException {
    List<String> locked = new ArrayList<>();
    if (!project.locked().isEmpty()) {
      // the versions the project's lock file pins, as its own CI installs them
      Path constraints = workspace.venv().resolve(".etask-constraints.txt");
      StringBuilder pins = new StringBuilder();
      project.locked().forEach((k, v) -> pins.append(k).append("==").append(v).append('\n'));
      AtomicFiles.write(constraints, pins.toString());
      locked.addAll(List.of("-c", constraints.toString()));
    }
    return locked;
  }

  /**
   * Installs what is {@code asked}: as resolved less than a day ago when {@code resolution} is
   * kept, else with the lock's pins ({@code locked}; without them when they do not install here),
   * and without the mypy hook's packages when only they fail.
   */
  private ProcessRunner.Result installAll(
      Project project,
      List<String> asked,
      List<String> locked,
      Path resolution,
      Map<String, String> env,
      Path log,
      Optional<Path> uv) {
    List<String> install =
        uv.isPresent()
            ? List.of(uv.get().toString(), "pip", "install", "--python", python.python().toString())
            : List.of(python.python().toString(), "-m", "pip", "install", "--progress-bar", "off");
    ProcessRunner.Result installed = null;
    if (resolution != null) {
      // the same inputs were resolved less than a day ago: those versions, from uv's cache
      List<String> pinned = new ArrayList<>(locked);
      pinned.addAll(List.of("--offline", "-c", resolution.toString()));
      ProcessRunner.Result offline = install(install, asked, pinned, env, log, uv);
      if (offline.ok()) {
        installed = offline;
      }
    }
    if (installed != null) {
      // installed as resolved before
    } else if (locked.isEmpty()) {
      installed = install(install, asked, List.of(), env, log, uv);
    } else {
      installed = install(install, asked, locked, env, log, uv);
      if (!installed.ok()) {
        notes.add(
            "the versions "
                + project.lockFile()
                + " pins do not install here ("
                + PythonEnvironment.lastLines(installed.output(), 1).strip()
                + "): installed the requirements without them; see "
                + log);
        installed = install(install, asked, List.of(), env, log, uv);
      }
    }
    if (!installed.ok() && !project.typeDependencies().isEmpty()) {
      // the mypy hook's packages are a help, never a reason the project cannot be measured
      String failure = PythonEnvironment.lastLines(installed.output(), 1).strip();
      asked.removeAll(project.typeDependencies());
      installed = install(install, asked, locked, env, log, uv);
      if (installed.ok()) {
        notes.add(
            "the packages the project's mypy hook installs ("
                + String.join(", ", project.typeDependencies())
                + ") do not install beside it ("
                + failure
                + "): mypy runs without them, and may report what they would have resolved");
      }
    }
    return installed;
  }

  private ProcessRunner.Result install(
      List<String> installer,
      List<String> asked,
      List<String> constraints,
      Map<String, String> env,
      Path log,
      Optional<Path> uv) {
    List<String> argv = new ArrayList<>(installer);
    argv.addAll(constraints);
    argv.addAll(asked);
    return runner.run(held(new Command(argv, workspace.repo(), env, INSTALL_TIMEOUT, log), uv));
  }

  private Command held(Command command, Optional<Path> uv) {
    return confined == null ? command : confined.hold(command, uv);
  }

  /**
   * The install's environment: with uv, pip's settings translated for it; built from generated
   * code, what {@link ConfinedInstall#environment} makes of it.
   */
  private Map<String, String> installEnvironment(String interpreter, boolean uv) {
    Map<String, String> env = environments.forInstall();
    Map<String, String> pip = PipSettings.read(runner, env, workspace.repo(), interpreter);
    if (uv) {
      PipSettings.asVariables(pip, env, false); // uv does not read pip.conf
    }
    return confined == null ? env : confined.environment(env, pip);
  }

  private Resolutions resolutions() {
    return new Resolutions(python.resolutions(), runner);
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  /**
   * The installed versions of {@code tools}, from the venv's package metadata (each {@code
   * *.dist-info/METADATA}'s Name and Version, names compared as the package index does): what
   * {@code importlib.metadata} says, without a Python start (which compiles the standard library it
   * imports from source, under the gates' bytecode settings).
   */
  private Map<String, String> toolVersions(Map<String, String> tools) {
    Map<String, String> installed;
    try {
      installed = InstalledPackages.versions(workspace.venv());
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "cannot read the installed packages of " + workspace.venv() + ": " + e.getMessage(),
          Hints.rebuildEnvironment());
    }
    Map<String, String> versions = new LinkedHashMap<>();
    tools.keySet().forEach(t -> versions.put(t, installed.get(InstalledPackages.normalized(t))));
    try {
      Files.writeString(
          workspace.logs().resolve("prepare-env.log"),
          "[etask] tool versions (the venv's package metadata): " + versions + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      // only the log misses the line: the versions are in status.json
    }
    for (Map.Entry<String, String> e : versions.entrySet()) {
      if (e.getValue() == null) {
        throw new EtaskException(
            Code.ENV_FAILED,
            e.getKey() + " is not installed in " + workspace.venv(),
            Hints.rebuildEnvironment());
      }
    }
    return versions;
  }
}
