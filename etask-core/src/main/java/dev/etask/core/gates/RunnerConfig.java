package dev.etask.core.gates;

import dev.etask.core.spec.Glob;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Files that configure the test runner or the gates' tools. A generator that writes one can turn a
 * failing test into a pass (a {@code conftest.py} hook) or switch a check off, so such a file is
 * writable only when the spec names it exactly, and a batch that changes one is labelled.
 */
public final class RunnerConfig {
  private static final Set<String> NAMES =
      Set.of(
          "conftest.py",
          "pytest.ini",
          ".pytest.ini",
          "pytest.toml",
          ".pytest.toml",
          "tox.ini",
          "tox.toml",
          "noxfile.py",
          ".pre-commit-config.yaml",
          "ty.toml",
          "pyrightconfig.json",
          "pyrefly.toml",
          "setup.cfg",
          "pyproject.toml",
          "mypy.ini",
          ".mypy.ini",
          "ruff.toml",
          ".ruff.toml",
          ".coveragerc",
          "sitecustomize.py",
          "usercustomize.py",
          // git's own: how files are checked out (eol, ident, filters) and where submodules are
          ".gitattributes",
          ".gitmodules");

  /**
   * A module that loads pytest plugins or defines pytest hooks configures the runner as a
   * conftest.py does.
   */
  private static final Pattern PLUGIN_CODE =
      Pattern.compile(
          "^(pytest_plugins\\s*[:=]|(async\\s+)?def\\s+pytest_[a-z_]+\\s*\\(|@pytest\\.hookimpl)",
          Pattern.MULTILINE);

  /**
   * A module that reaches into the runner's own machinery: pytest's internals ({@code _pytest}), an
   * attribute of pytest or of the loaded modules replaced. A test never changes how its runner
   * reports (a patched {@code TestReport} turns failures into passes). What a program can hide from
   * a text search stays possible: the sandbox and the whole suite on the tip are the other guards.
   */
  private static final Pattern RUNNER_PATCH =
      Pattern.compile(
          "\\b_pytest\\b|^\\s*pytest\\.[A-Za-z_][\\w.]*\\s*=(?!=)|\\bsetattr\\(\\s*(pytest|_pytest)\\b"
              + "|\\bsys\\.modules\\s*\\[[^\\]]*\\]\\s*=(?!=)",
          Pattern.MULTILINE);

  /**
   * The top-level modules the gate processes import: a module of the clone by such a name shadows
   * them.
   */
  public static final Set<String> GATE_MODULES =
      Set.of(
          "pytest",
          "_pytest",
          "py",
          "pluggy",
          "iniconfig",
          "packaging",
          "coverage",
          "xdist",
          "execnet",
          "pytest_cov",
          "mypy",
          "ruff",
          "tomli",
          "exceptiongroup",
          "sitecustomize",
          "usercustomize");

  private RunnerConfig() {}

  /**
   * True for {@code conftest.py}, {@code pytest.ini}, {@code pyproject.toml}, {@code *.pth}, … in
   * any folder, any case.
   */
  public static boolean isRunnerConfig(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return NAMES.contains(name) || name.endsWith(".pth");
  }

  /**
   * True when a Python module's text loads pytest plugins ({@code pytest_plugins}) or defines
   * pytest hooks.
   */
  public static boolean configuresTheRunner(String pythonSource) {
    return PLUGIN_CODE.matcher(pythonSource).find();
  }

  /**
   * True when a Python module's text reaches into pytest's own machinery (see {@link
   * #RUNNER_PATCH}).
   */
  public static boolean patchesTheRunner(String pythonSource) {
    return RUNNER_PATCH.matcher(pythonSource).find();
  }

  /**
   * The gate module {@code path} would shadow when {@code root} (a folder on the tests' path, ""
   * for the clone's root) is on Python's path, or null: {@code tools/coverage.py} under {@code
   * tools}, {@code pytest/__init__.py} at the root.
   */
  public static String shadows(String path, String root) {
    String rest =
        root.isEmpty()
            ? path
            : path.startsWith(root + "/") ? path.substring(root.length() + 1) : null;
    if (rest == null) {
      return null;
    }
    String first = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
    String module = first.endsWith(".py") ? first.substring(0, first.length() - 3) : first;
    return GATE_MODULES.contains(module) && (rest.contains("/") || first.endsWith(".py"))
        ? module
        : null;
  }

  /**
   * True when one of {@code globs} is exactly {@code path}, with no wildcard: a glob never grants
   * such a file.
   */
  public static boolean namedExactly(String path, Collection<Glob> globs) {
    return globs.stream()
        .anyMatch(
            g ->
                g.pattern().equals(path)
                    && g.pattern().chars().noneMatch(c -> "*?[{".indexOf(c) >= 0));
  }
}
