package dev.etask.core.workspace;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The variables that put a task's virtualenv first and its tools' by-products where they go. */
final class VenvVariables {
  private VenvVariables() {}

  /**
   * {@code base} with the venv of {@code ws} first on PATH, the tool caches in the workspace, and
   * {@code pythonPath} in front of PYTHONPATH.
   */
  static Map<String, String> withVenv(
      Workspace ws, List<Path> pythonPath, Map<String, String> base) {
    Map<String, String> env = new LinkedHashMap<>(base);
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("PATH", ws.venv().resolve("bin") + File.pathSeparator + path);
    env.put("VIRTUAL_ENV", ws.venv().toString());
    env.remove("PYTHONHOME");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("PYTHONPYCACHEPREFIX", ws.cache().resolve("pycache").toString());
    env.put("COVERAGE_FILE", ws.reports().resolve(".coverage").toString());
    env.put("MYPY_CACHE_DIR", ws.cache().resolve("mypy").toString());
    env.put("RUFF_CACHE_DIR", ws.cache().resolve("ruff").toString());
    env.put("PIP_NO_INPUT", "1");
    if (!pythonPath.isEmpty()) {
      String front =
          String.join(File.pathSeparator, pythonPath.stream().map(Path::toString).toList());
      String rest = env.get("PYTHONPATH");
      env.put(
          "PYTHONPATH", rest == null || rest.isEmpty() ? front : front + File.pathSeparator + rest);
    }
    return env;
  }

  /** {@code env} (the venv's) with the tools' by-products in {@code scratch}, the generator's. */
  static Map<String, String> forGenerator(Map<String, String> env, Path scratch) {
    env.put("PYTHONPYCACHEPREFIX", scratch.resolve("pycache").toString());
    env.put("COVERAGE_FILE", scratch.resolve(".coverage").toString());
    env.put("MYPY_CACHE_DIR", scratch.resolve("mypy").toString());
    env.put("RUFF_CACHE_DIR", scratch.resolve("ruff").toString());
    return env;
  }
}
