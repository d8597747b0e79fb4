package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
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
   * Creates or reuses the venv and returns the resolved tool versions. A marker in the venv records
   * a fingerprint of the inputs; a different fingerprint rebuilds it.
   */
  Map<String, String> ensure(String interpreter, Project project, Map<String, String> tools) {
    Map<String, String> fingerprinted = new java.util.TreeMap<>(tools);
    project.locked().forEach((k, v) -> fingerprinted.put("locked:" + k, "==" + v));
    String fingerprint = fingerprint(interpreter, project.install(), fingerprinted);
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
          uv.isPresent()
              ? java.util.concurrent.CompletableFuture.supplyAsync(() -> uvEnvironment(interpreter))
              : null;
      List<String> create = new ArrayList<>();
      if (uv.isPresent()) {
        create.addAll(
            List.of(
                uv.get().toString(),
                "venv",
                "--seed",
                "--offline", // pip and setuptools from uv's cache: asking the index costs ~1 s
                "--python",
                interpreter,
                workspace.venv().toString()));
      } else {
        create.addAll(List.of(interpreter, "-m", "venv", workspace.venv().toString()));
      }
      ProcessRunner.Result created =
          runner.run(new Command(create, workspace.repo(), environments.forInstall(), QUICK, log));
      if (!created.ok() && uvEnv != null) { // nothing to seed from in uv's cache yet: the index
        create.remove("--offline");
        FileTrees.delete(workspace.venv());
        created = runner.run(new Command(create, workspace.repo(), uvEnv.join(), QUICK, log));
      }
      if (!created.ok()) {
        throw new EtaskException(
            Code.ENV_FAILED,
            "could not create the virtualenv: " + PythonEnvironment.lastLines(created.output(), 8),
            "check that '"
                + interpreter
                + "' has the venv module (Debian: apt-get install python3-venv); log: "
                + log);
      }
      List<String> install = new ArrayList<>();
      if (uv.isPresent()) {
        install.addAll(
            List.of(uv.get().toString(), "pip", "install", "--python", python.python().toString()));
      } else {
        install.addAll(
            List.of(python.python().toString(), "-m", "pip", "install", "--progress-bar", "off"));
      }
      List<String> asked = new ArrayList<>(project.install());
      tools.forEach((name, range) -> asked.add(name + range));
      Map<String, String> env = uvEnv != null ? uvEnv.join() : environments.forInstall();
      List<String> locked = new ArrayList<>();
      if (!project.locked().isEmpty()) {
        // the versions the project's lock file pins, as its own CI installs them
        Path constraints = workspace.venv().resolve(".etask-constraints.txt");
        StringBuilder pins = new StringBuilder();
        project.locked().forEach((k, v) -> pins.append(k).append("==").append(v).append('\n'));
        AtomicFiles.write(constraints, pins.toString());
        locked.addAll(List.of("-c", constraints.toString()));
      }
      Path resolution = uv.isPresent() ? recentResolution(fingerprint) : null;
      ProcessRunner.Result installed = null;
      if (resolution != null) {
        // the same inputs were resolved less than a day ago: those versions, from uv's cache
        List<String> pinned = new ArrayList<>(locked);
        pinned.addAll(List.of("--offline", "-c", resolution.toString()));
        ProcessRunner.Result offline = install(install, asked, pinned, env, log);
        if (offline.ok()) {
          installed = offline;
        }
      }
      if (installed != null) {
        // installed as resolved before
      } else if (locked.isEmpty()) {
        installed = install(install, asked, List.of(), env, log);
      } else {
        installed = install(install, asked, locked, env, log);
        if (!installed.ok()) {
          notes.add(
              "the versions "
                  + project.lockFile()
                  + " pins do not install here ("
                  + PythonEnvironment.lastLines(installed.output(), 1).strip()
                  + "): installed the requirements without them; see "
                  + log);
          installed = install(install, asked, List.of(), env, log);
        }
      }
      if (!installed.ok()) {
        throw new EtaskException(
            Code.ENV_FAILED,
            "installing the repository's requirements and the gate tools failed ("
                + String.join(" ", asked)
                + "): "
                + PythonEnvironment.lastLines(installed.output(), 12),
            "fix python.install / python.tools in the task spec, or the package index settings (pip.conf, PIP_*); log: "
                + log);
      }
      if (uv.isPresent() && resolution == null) {
        rememberResolution(uv.get(), fingerprint, env, log);
      }
      Map<String, String> versions = toolVersions(tools);
      AtomicFiles.write(marker, fingerprint + "\n");
      return versions;
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "could not build the virtualenv in " + workspace.venv() + ": " + e,
          "check the disk and permissions of the work folder",
          e);
    }
  }

  private ProcessRunner.Result install(
      List<String> installer,
      List<String> asked,
      List<String> constraints,
      Map<String, String> env,
      Path log) {
    List<String> argv = new ArrayList<>(installer);
    argv.addAll(constraints);
    argv.addAll(asked);
    return runner.run(new Command(argv, workspace.repo(), env, INSTALL_TIMEOUT, log));
  }

  private static final Duration RESOLUTION_LIFETIME = Duration.ofHours(24);

  /** The package set resolved for {@code fingerprint} in the last day, or null. */
  private Path recentResolution(String fingerprint) {
    Path dir = python.resolutions();
    if (dir == null) {
      return null;
    }
    Path file = dir.resolve(fingerprint + ".txt");
    try {
      if (Files.isRegularFile(file)
          && Files.getLastModifiedTime(file)
              .toInstant()
              .isAfter(java.time.Instant.now().minus(RESOLUTION_LIFETIME))) {
        return file;
      }
    } catch (IOException e) {
      // resolved again
    }
    return null;
  }

  /**
   * Keeps what uv resolved ({@code uv pip freeze}, editable installs left out) for the next task
   * with the same inputs; a failure only costs that task a resolution.
   */
  private void rememberResolution(Path uv, String fingerprint, Map<String, String> env, Path log) {
    Path dir = python.resolutions();
    if (dir == null || fingerprint.startsWith("unknown-")) {
      return;
    }
    ProcessRunner.Result frozen =
        runner.run(
            new Command(
                List.of(
                    uv.toString(),
                    "pip",
                    "freeze",
                    "--exclude-editable",
                    "--python",
                    python.python().toString()),
                workspace.repo(),
                env,
                QUICK,
                log));
    String pins =
        frozen
            .output()
            .lines()
            .filter(l -> l.matches("[A-Za-z0-9._-]+==\\S+"))
            .reduce("", (a, b) -> a + b + "\n");
    if (!frozen.ok() || pins.isEmpty()) {
      return;
    }
    try {
      Files.createDirectories(dir);
      AtomicFiles.write(dir.resolve(fingerprint + ".txt"), pins);
    } catch (IOException e) {
      // resolved again next time
    }
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
          "run ./mvnw etask:clean for this task to rebuild its environment");
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
            "run ./mvnw etask:clean for this task to rebuild its environment");
      }
    }
    return versions;
  }

  /**
   * pip's own configuration (files and PIP_* variables) translated for uv, which does not read
   * pip.conf.
   */
  private Map<String, String> uvEnvironment(String interpreter) {
    Map<String, String> env = environments.forInstall();
    ProcessRunner.Result r =
        runner.run(
            Command.of(
                workspace.repo(), env, QUICK, null, interpreter, "-m", "pip", "config", "list"));
    Map<String, String> pip = new LinkedHashMap<>();
    if (r.ok()) {
      for (String line : r.output().split("\n")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          String key = line.substring(0, eq).trim();
          String value = line.substring(eq + 1).trim().replaceAll("^'(.*)'$", "$1");
          pip.put(key.substring(key.indexOf('.') + 1), value);
        }
      }
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith("PIP_")) {
            pip.put(k.substring(4).toLowerCase(java.util.Locale.ROOT).replace('_', '-'), v);
          }
        });
    copy(pip, "index-url", env, "UV_INDEX_URL");
    copy(pip, "extra-index-url", env, "UV_EXTRA_INDEX_URL");
    copy(pip, "find-links", env, "UV_FIND_LINKS");
    copy(pip, "cert", env, "SSL_CERT_FILE");
    copy(pip, "constraint", env, "UV_CONSTRAINT");
    if (pip.containsKey("trusted-host")) {
      env.putIfAbsent("UV_INSECURE_HOST", pip.get("trusted-host"));
    }
    return env;
  }

  private static void copy(
      Map<String, String> pip, String key, Map<String, String> env, String uvName) {
    String v = pip.get(key);
    if (v != null && !v.isBlank()) {
      env.putIfAbsent(uvName, v.replace('\n', ' ').trim());
    }
  }

  private String fingerprint(String interpreter, List<String> install, Map<String, String> tools) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(interpreter.getBytes(StandardCharsets.UTF_8));
      for (String a : install) {
        md.update(("\0" + a).getBytes(StandardCharsets.UTF_8));
        Path file = workspace.repo().resolve(a);
        if (!a.startsWith("-") && Files.isRegularFile(file)) {
          md.update(Files.readAllBytes(file));
        }
      }
      for (String f : new String[] {"pyproject.toml", "setup.py", "setup.cfg"}) {
        Path file = workspace.repo().resolve(f);
        if (Files.isRegularFile(file)) {
          md.update(Files.readAllBytes(file));
        }
      }
      try (var reqs = Files.newDirectoryStream(workspace.repo(), "requirements*.txt")) {
        for (Path p : reqs) {
          md.update(Files.readAllBytes(p));
        }
      }
      tools.forEach((k, v) -> md.update(("\0" + k + v).getBytes(StandardCharsets.UTF_8)));
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException | IOException e) {
      return "unknown-" + System.nanoTime();
    }
  }
}
