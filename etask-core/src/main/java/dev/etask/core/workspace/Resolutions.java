package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The package versions uv resolved for a set of install inputs (a venv fingerprint), kept for a day
 * in {@code dir} (beside the tools folder): the next task with the same inputs installs them from
 * uv's cache without asking the index. A failure to keep or read one only costs a resolution.
 */
record Resolutions(Path dir, ProcessRunner runner) {
  private static final Duration LIFETIME = Duration.ofHours(24);
  private static final Duration QUICK = Duration.ofMinutes(2);

  /** The package set resolved for {@code fingerprint} in the last day, or null. */
  Path recent(String fingerprint) {
    if (dir == null) {
      return null;
    }
    Path file = dir.resolve(fingerprint + ".txt");
    try {
      if (Files.isRegularFile(file)
          && Files.getLastModifiedTime(file)
              .toInstant()
              .isAfter(java.time.Instant.now().minus(LIFETIME))) {
        return file;
      }
    } catch (IOException e) {
      // resolved again
    }
    return null;
  }

  /**
   * Keeps what uv resolved into the venv of {@code python} ({@code uv pip freeze}, editable
   * installs left out) for the next task with the same inputs.
   */
  void remember(
      Path uv, Path python, String fingerprint, Map<String, String> env, Path repo, Path log) {
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
                    python.toString()),
                repo,
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
}
