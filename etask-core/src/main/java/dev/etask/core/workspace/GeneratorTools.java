package dev.etask.core.workspace;

import dev.etask.core.process.Command;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The environment etask's built-in generators run from ({@link Workspace#generatorTools}): a
 * virtualenv of its own holding the generator's tools (CrossHair) that imports the project and its
 * dependencies through the gates' venv (a {@code .pth} file adds that venv's site-packages after
 * its own), so it never changes what the gates' venv holds. Built outside the sandbox from the
 * package index only, before the generator runs; a marker of what it holds makes the next batch
 * reuse it, and uv's cache makes a rebuild cheap. The generator's sandbox shows it read-only.
 */
final class GeneratorTools {
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);
  private static final String MARKER = ".etask-tools";

  private GeneratorTools() {}

  /** The tools environment's Python, holding {@code packages} (pip requirement strings). */
  static Path ensure(
      Workspace ws,
      ProcessRunner runner,
      Map<String, String> installEnvironment,
      Optional<Path> uv,
      Path gatesPython,
      List<String> packages) {
    Path venv = ws.generatorTools();
    Path python = venv.resolve("bin").resolve("python");
    String wanted;
    try { // the gates' venv as it is now: rebuilt on another Python, its site-packages moves
      wanted = String.join("\n", packages) + "\n" + sitePackages(ws.venv());
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "the task's virtualenv has no site-packages: " + e.getMessage(),
          Hints.workFolder(),
          e);
    }
    Path log = ws.logs().resolve("generator-tools.log");
    try {
      Path marker = venv.resolve(MARKER);
      if (Files.isExecutable(python)
          && Files.exists(marker)
          && Files.readString(marker, StandardCharsets.UTF_8).equals(wanted)) {
        return python;
      }
      FileTrees.delete(venv);
      run(runner, create(uv, gatesPython, venv), ws, installEnvironment, log, "create");
      List<String> install = new ArrayList<>();
      if (uv.isPresent()) {
        install.addAll(
            List.of(uv.get().toString(), "pip", "install", "--python", python.toString()));
      } else {
        install.addAll(List.of(python.toString(), "-m", "pip", "install", "--progress-bar", "off"));
      }
      install.addAll(packages);
      run(runner, install, ws, installEnvironment, log, "install " + String.join(" ", packages));
      Path own = sitePackages(venv);
      Path gates = sitePackages(ws.venv());
      // 'import' lines of a .pth run: addsitedir also reads the gates venv's own .pth files (an
      // editable install of the project)
      AtomicFiles.write(
          own.resolve("etask-project.pth"),
          "import site; site.addsitedir(" + pythonString(gates.toString()) + ")\n");
      AtomicFiles.write(marker, wanted);
      return python;
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "cannot build the generator's tools in " + venv + ": " + e.getMessage(),
          Hints.workFolder(),
          e);
    }
  }

  private static List<String> create(Optional<Path> uv, Path gatesPython, Path venv) {
    return uv.isPresent()
        ? List.of(
            uv.get().toString(),
            "venv",
            "--seed",
            "--python",
            gatesPython.toString(),
            venv.toString())
        : List.of(gatesPython.toString(), "-m", "venv", venv.toString());
  }

  private static void run(
      ProcessRunner runner,
      List<String> argv,
      Workspace ws,
      Map<String, String> env,
      Path log,
      String what) {
    ProcessRunner.Result r = runner.run(new Command(argv, ws.root(), env, INSTALL_TIMEOUT, log));
    if (!r.ok()) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "could not build the generator's tools ("
              + what
              + "): "
              + PythonEnvironment.lastLines(r.output(), 8),
          Hints.generatorTools(log));
    }
  }

  static Path sitePackages(Path venv) throws IOException {
    Path lib = venv.resolve("lib");
    try (Stream<Path> versions = Files.list(lib)) {
      return versions
          .filter(p -> p.getFileName().toString().startsWith("python"))
          .map(p -> p.resolve("site-packages"))
          .filter(Files::isDirectory)
          .findFirst()
          .orElseThrow(() -> new IOException("no site-packages under " + lib));
    }
  }

  private static String pythonString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
