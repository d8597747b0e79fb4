package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.Confinement;
import dev.etask.core.process.Confinement.Mount;
import dev.etask.core.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A virtualenv built from what generated code declares (a batch that changes the dependencies, a
 * branch holding etask's commits): the install runs code the generator wrote (a {@code setup.py}, a
 * build backend, the modules they import), so with the sandbox on it runs in one: the network on;
 * writable only the virtualenv, the clone (its {@code .git} read-only) and an install cache of the
 * task's own, never the caches tasks share (other tasks install from them); pip's settings passed
 * as variables, without the configuration files, and none whose value holds a secret of yours.
 */
final class ConfinedInstall {
  private static final Set<String> DROPPED =
      Set.of("PIP_CONFIG_FILE", "UV_CONFIG_FILE", "NETRC", "SSH_AUTH_SOCK");
  private final Confinements confinements;
  private final Workspace ws;
  private final Path interpreter;
  private final Predicate<String> secret;
  private final List<String> notes = new ArrayList<>();
  private final List<Path> readable = new ArrayList<>();

  /**
   * {@code interpreter}: the base interpreter's absolute path; {@code secret}: whether a value
   * holds a secret etask knows of.
   */
  ConfinedInstall(
      Confinements confinements, Workspace ws, Path interpreter, Predicate<String> secret) {
    this.confinements = confinements;
    this.ws = ws;
    this.interpreter = interpreter;
    this.secret = secret;
  }

  /**
   * The interpreter's own executable, as it says ({@code sys.executable}): what a name on PATH
   * leads to (a pyenv shim is a script that needs your home).
   */
  static Path executable(
      ProcessRunner runner, Map<String, String> env, Workspace ws, String interpreter) {
    ProcessRunner.Result r =
        runner.run(
            Command.of(
                ws.root(),
                env,
                java.time.Duration.ofMinutes(2),
                null,
                interpreter,
                "-c",
                "import sys; print(sys.executable)"));
    String said = r.ok() ? PythonEnvironment.lastLine(r.output()).strip() : "";
    return said.startsWith("/") ? Path.of(said) : Path.of(interpreter).toAbsolutePath();
  }

  Path interpreter() {
    return interpreter;
  }

  /** The task's own install cache (pip's and uv's), kept for its next install. */
  Path cache() {
    return ws.installCache();
  }

  /**
   * The install's environment: {@code base} without the configuration files and credentials, {@code
   * pip}'s settings ({@code pip config list}) as variables, the task's own caches.
   */
  Map<String, String> environment(Map<String, String> base, Map<String, String> pip) {
    Map<String, String> env = new LinkedHashMap<>(base);
    DROPPED.forEach(env::remove);
    PipSettings.asVariables(pip, env, true); // pip gets no configuration file
    env.put("PIP_CONFIG_FILE", "/dev/null");
    env.put("UV_NO_CONFIG", "1");
    env.put("PIP_CACHE_DIR", cache().resolve("pip").toString());
    env.put("UV_CACHE_DIR", cache().resolve("uv").toString());
    List<String> withheld = new ArrayList<>();
    env.entrySet()
        .removeIf(
            e -> {
              boolean held = secret.test(e.getValue());
              if (held) {
                withheld.add(e.getKey());
              }
              return held;
            });
    if (!withheld.isEmpty()) {
      notes.add(
          "the install of what the batch declares ran without "
              + String.join(", ", withheld)
              + ": they hold your credentials, which code the generator wrote never sees; a"
              + " package only that index serves cannot be installed for it");
    }
    // the local folders and files pip's settings name: a wheel folder, a certificate bundle
    for (String key : List.of("find-links", "cert", "constraint")) {
      for (String word : pip.getOrDefault(key, "").split("\\s+")) {
        String path = word.startsWith("file://") ? word.substring(7) : word;
        if (path.startsWith("/")
            && Files.exists(Path.of(path))
            && !readable.contains(Path.of(path))) {
          readable.add(Path.of(path));
        }
      }
    }
    return env;
  }

  /** {@code folder} is read too (a tool's own environment). */
  void readable(Path folder) {
    if (!readable.contains(folder)) {
      readable.add(folder);
    }
  }

  /** {@code command}, run in the sandbox (see the class comment). */
  Command hold(Command command, Optional<Path> uv) {
    try {
      Files.createDirectories(ws.venv());
      Files.createDirectories(cache());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<Mount> m = new ArrayList<>(confinements.interpreterMounts(interpreter));
    uv.ifPresent(u -> m.add(Mount.readOnly(u.toAbsolutePath().getParent().getParent())));
    readable.forEach(p -> m.add(Mount.readOnly(p)));
    m.add(Mount.readOnly(confinements.helpers()));
    m.add(Mount.writable(ws.repo()));
    m.add(Mount.readOnly(ws.repo().resolve(".git")));
    m.add(Mount.writable(ws.venv()));
    m.add(Mount.writable(cache()));
    m.add(Mount.tmpfs(ws.home()));
    return command.confined(new Confinement(true, m, true, confinements.reaper(interpreter)));
  }

  List<String> notes() {
    return notes;
  }
}
