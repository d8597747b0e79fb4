package dev.etask.core.engine;

import dev.etask.core.gates.RunnerConfig;
import dev.etask.core.git.Change;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch may change (docs/ARCHITECTURE.md §6): its own files and {@code target.writable};
 * what configures the test runner, the tools or git's checkout only when named exactly; links only
 * to inside the clone.
 */
final class Allowlist {
  private Allowlist() {}

  /**
   * The changes outside what the batch may change, each with the reason; empty when all are
   * allowed.
   */
  static List<String> violations(RunContext c, BatchState batch, List<Change> changes) {
    List<String> bad = new ArrayList<>();
    Path root = c.ws().repo().toAbsolutePath().normalize();
    for (Change change : changes) {
      String why = violation(c, batch, root, change);
      if (why != null) {
        bad.add(why);
      }
    }
    return bad;
  }

  /**
   * What {@code target.writable_tests} allows: a new test module ({@code test_*.py} or {@code
   * *_test.py}) in the test folder new tests go to ({@link BuiltinGenerators#testFolder}). Never a
   * change to a file that exists (an existing test weakened), another kind of file, or a test
   * module elsewhere (one beside the source would ship in the package).
   */
  static boolean newTestModule(RunContext c, Change change) {
    String p = change.path();
    String folder = BuiltinGenerators.testFolder(c.state().env().testDirs());
    String name = p.substring(p.lastIndexOf('/') + 1);
    return change.kind() == Change.Kind.ADDED
        && p.startsWith(folder + "/")
        && name.endsWith(".py")
        && (name.startsWith("test_") || name.endsWith("_test.py"));
  }

  /** The change's path with why it is not allowed, or null when it is. */
  private static String violation(RunContext c, BatchState batch, Path root, Change change) {
    TaskSpec spec = c.spec();
    String p = change.path();
    boolean allowed =
        batch.files().contains(p)
            || spec.target().writable().stream().anyMatch(g -> g.matches(p))
            || (spec.target().writableTests() && newTestModule(c, change));
    if (!allowed) {
      return p;
    }
    boolean named =
        RunnerConfig.namedExactly(p, spec.target().writable())
            || RunnerConfig.namedExactly(p, spec.target().include());
    if (RunnerConfig.isRunnerConfig(p) && !named) {
      return p
          + " (it configures the test runner, the tools or git's checkout: only a path named exactly in target.writable,"
          + " never a glob, allows it)";
    }
    String shadowed = change.kind() == Change.Kind.ADDED ? shadowed(c, p) : null;
    if (shadowed != null) {
      return p
          + " (a module named "
          + shadowed
          + " where the tests' Python looks first would run instead of the gates' own)";
    }
    Path file = root.resolve(p);
    if (!named
        && p.endsWith(".py")
        && change.kind() != Change.Kind.DELETED
        && Files.isRegularFile(file)
        && !Files.isSymbolicLink(file)) {
      String content = content(p, file);
      if (content != null) {
        return content;
      }
    }
    return Files.isSymbolicLink(file) ? link(p, file, root) : null;
  }

  /**
   * Why a Python file is not allowed for what it says (it configures or patches pytest), or null.
   */
  private static String content(String p, Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.ISO_8859_1);
      if (RunnerConfig.configuresTheRunner(text)) {
        return p
            + " (it loads pytest plugins or defines pytest hooks, which configures the test runner as a"
            + " conftest.py does: only a path named exactly in target.writable allows it)";
      }
      if (RunnerConfig.patchesTheRunner(text)) {
        return p
            + " (it reaches into pytest's own machinery: _pytest, or an attribute of pytest or a"
            + " loaded module replaced; a test never changes how its runner reports — use"
            + " pytest's public names, such as pytest.MonkeyPatch)";
      }
      return null;
    } catch (IOException e) {
      return p + " (unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * Why a symbolic link is not allowed, or null: followed to the end (a chain of links can climb
   * out one step at a time); a link to nothing is refused, it could point anywhere once checked out
   * elsewhere.
   */
  private static String link(String p, Path file, Path root) {
    try {
      Path target = file.toRealPath();
      Path realRoot = root.toRealPath();
      if (!target.startsWith(realRoot) || target.startsWith(realRoot.resolve(".git"))) {
        return p + " (symlink to " + target + ", outside the clone)";
      }
      return null;
    } catch (IOException e) {
      return p + " (symlink to nothing in the clone)";
    }
  }

  /**
   * The gate module a new file at {@code path} would shadow in the folders on the tests' path: the
   * clone's root, {@code src}, and the folders of the clone the project's PYTHONPATH names; null
   * when none, or when HEAD holds that module already (the project's own: pypa/packaging is {@code
   * src/packaging}).
   */
  private static String shadowed(RunContext c, String path) {
    java.util.Set<String> roots = new java.util.LinkedHashSet<>(List.of("", "src"));
    java.util.Map<String, String> env = c.state().env().testEnvironment();
    String pythonPath = env == null ? null : env.get("PYTHONPATH");
    if (pythonPath != null) {
      for (String entry : pythonPath.split(":")) {
        if (entry.startsWith("{repo}")) {
          String rel = entry.substring("{repo}".length()).replaceAll("^/+|/+$", "");
          roots.add(rel);
        }
      }
    }
    for (String root : roots) {
      String module = RunnerConfig.shadows(path, root);
      if (module != null) {
        String prefix = root.isEmpty() ? "" : root + "/";
        try (dev.etask.core.git.GitRepo git = c.openClone()) {
          if (git.resolve("HEAD:" + prefix + module) != null
              || git.resolve("HEAD:" + prefix + module + ".py") != null) {
            return null;
          }
        } catch (dev.etask.core.git.GitException e) {
          return module; // what cannot be told apart is refused
        }
        return module;
      }
    }
    return null;
  }
}
