package dev.etask.core.workspace;

import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * pip's own configuration (its files and {@code PIP_*} variables), by setting name, and the same
 * settings as variables: for uv, which does not read pip.conf, and for an install that gets no
 * configuration file.
 */
final class PipSettings {
  /** Setting → pip's variable, uv's variable. */
  private static final Map<String, String[]> VARIABLES =
      Map.of(
          "index-url", new String[] {"PIP_INDEX_URL", "UV_INDEX_URL"},
          "extra-index-url", new String[] {"PIP_EXTRA_INDEX_URL", "UV_EXTRA_INDEX_URL"},
          "find-links", new String[] {"PIP_FIND_LINKS", "UV_FIND_LINKS"},
          "cert", new String[] {"PIP_CERT", "SSL_CERT_FILE"},
          "constraint", new String[] {"PIP_CONSTRAINT", "UV_CONSTRAINT"},
          "trusted-host", new String[] {"PIP_TRUSTED_HOST", "UV_INSECURE_HOST"});

  private PipSettings() {}

  /** What {@code pip config list} says, with the {@code PIP_*} variables of {@code env} over it. */
  static Map<String, String> read(
      ProcessRunner runner, Map<String, String> env, Path dir, String interpreter) {
    ProcessRunner.Result r =
        runner.run(
            Command.of(
                dir, env, Duration.ofMinutes(2), null, interpreter, "-m", "pip", "config", "list"));
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
    return pip;
  }

  /**
   * Puts {@code pip}'s settings into {@code env} as variables (where {@code env} does not set them
   * already): uv's names, and pip's too when {@code forPip}.
   */
  static void asVariables(Map<String, String> pip, Map<String, String> env, boolean forPip) {
    VARIABLES.forEach(
        (key, names) -> {
          String v = pip.get(key);
          if (v != null && !v.isBlank()) {
            String value = v.replace('\n', ' ').trim();
            env.putIfAbsent(names[1], value);
            if (forPip) {
              env.putIfAbsent(names[0], value);
            }
          }
        });
  }
}
