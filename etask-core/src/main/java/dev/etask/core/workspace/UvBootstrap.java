package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * uv for building virtualenvs when it is not on PATH: installed once with pip (the machine's pip
 * configuration, so a private index works) into etask's tools folder, {@code
 * <cacheDir>/tools/uv-0.13}, in a temporary folder moved into place when complete: a half-written
 * install is never used, and two tasks installing at once both end with the same one. When it
 * cannot be installed, pip builds the venv as before.
 */
public final class UvBootstrap {
  /** The uv releases etask knows how to drive. */
  public static final String VERSIONS = ">=0.13,<0.14";

  private static final String FOLDER = "uv-0.13";
  private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);

  private UvBootstrap() {}

  /** The uv under {@code tools}, installed now if it is not there yet; empty when it cannot be. */
  static Optional<Path> ensure(
      Path tools,
      String interpreter,
      ProcessRunner runner,
      Environments environments,
      Path workDir,
      Path log) {
    Path home = tools.resolve(FOLDER);
    Path uv = home.resolve("bin").resolve("uv");
    if (works(uv, runner, workDir)) {
      return Optional.of(uv);
    }
    Path temp = null;
    try {
      Files.createDirectories(tools);
      // a folder of this install's own: tasks of one JVM (etask:launch) share the pid
      temp = Files.createTempDirectory(tools, FOLDER + ".tmp-");
      ProcessRunner.Result installed =
          runner.run(
              new Command(
                  java.util.List.of(
                      interpreter,
                      "-m",
                      "pip",
                      "install",
                      "--disable-pip-version-check",
                      "--quiet",
                      "--target",
                      temp.toString(),
                      "uv" + VERSIONS),
                  workDir,
                  environments.forInstall(),
                  INSTALL_TIMEOUT,
                  log));
      if (!installed.ok() || !Files.isExecutable(temp.resolve("bin").resolve("uv"))) {
        return Optional.empty();
      }
      putInPlace(temp, home, uv, runner, workDir);
      return works(uv, runner, workDir) ? Optional.of(uv) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } finally {
      try {
        if (temp != null) {
          FileTrees.delete(temp);
        }
      } catch (IOException e) {
        // a leftover temporary folder is ignored and replaced next time
      }
    }
  }

  /** Moves the new install to {@code home}; another task's copy put there first is kept. */
  private static void putInPlace(Path temp, Path home, Path uv, ProcessRunner runner, Path workDir)
      throws IOException {
    if (Files.exists(home) && !works(uv, runner, workDir)) {
      FileTrees.delete(home); // a broken install from an older etask or a full disk
    }
    try {
      Files.move(temp, home, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      // another task put its copy in place first: use that one
    } catch (IOException e) {
      if (!Files.exists(home)) {
        throw e;
      }
    }
  }

  private static boolean works(Path uv, ProcessRunner runner, Path workDir) {
    if (!Files.isExecutable(uv)) {
      return false;
    }
    return runner
        .run(
            Command.of(
                workDir,
                java.util.Map.of(),
                Duration.ofSeconds(30),
                null,
                uv.toString(),
                "--version"))
        .ok();
  }

  /** An executable {@code name} in a folder of PATH. */
  public static Optional<Path> findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
