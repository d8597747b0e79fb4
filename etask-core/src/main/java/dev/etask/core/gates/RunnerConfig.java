package dev.etask.core.gates;

import dev.etask.core.spec.Glob;
import java.util.Collection;
import java.util.Set;

/**
 * Files that configure the test runner or the gates' tools. A generator that writes one can turn a
 * failing test into a pass (a {@code conftest.py} hook) or switch a check off, so such a file is
 * writable only when the spec names it exactly, and a batch that changes one is labelled.
 */
public final class RunnerConfig {
  private static final Set<String> NAMES = Set.of("conftest.py", "pytest.ini", ".pytest.ini", "tox.ini", "setup.cfg",
      "pyproject.toml", "mypy.ini", ".mypy.ini", "ruff.toml", ".ruff.toml", ".coveragerc", "sitecustomize.py",
      "usercustomize.py");

  private RunnerConfig() {}

  /** True for {@code conftest.py}, {@code pytest.ini}, {@code pyproject.toml}, {@code *.pth}, … in any folder. */
  public static boolean isRunnerConfig(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return NAMES.contains(name) || name.endsWith(".pth");
  }

  /** True when one of {@code globs} is exactly {@code path}, with no wildcard: a glob never grants such a file. */
  public static boolean namedExactly(String path, Collection<Glob> globs) {
    return globs.stream().anyMatch(g -> g.pattern().equals(path));
  }
}
