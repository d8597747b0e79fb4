package dev.etask.core.gates;

import dev.etask.core.workspace.Project;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a measurement of the base can serve as a baseline. A suite that never ran (collection
 * errors, an interrupted session, no test at all in a repository that has tests) or a coverage that
 * could not be measured makes every later comparison meaningless, so the task stops, with the
 * tool's own error lines and the spec key that fixes it. Used by tasks and by validate by hand.
 */
public final class BaselineCheck {
  private static final Pattern MISSING_MODULE = Pattern.compile("No module named '([\\w.]+)'");

  private BaselineCheck() {}

  /** Why the base cannot be a baseline: a one-paragraph message and what to do. */
  public record Failure(String message, String nextStep) {}

  /**
   * {@code where}: what was measured ("main", "HEAD"); {@code how}: how the gates ran ({@link
   * GateSetup#describe}).
   */
  public static Optional<Failure> check(
      GateReport r, Project project, GateSetup setup, String where, String how) {
    return check(r, project, setup, where, how, List.of());
  }

  /**
   * The same; {@code unfetched}: the submodules the clone lacks (their folders are empty), named in
   * the next step when the suite fails on them.
   */
  public static Optional<Failure> check(
      GateReport r,
      Project project,
      GateSetup setup,
      String where,
      String how,
      List<String> unfetched) {
    Optional<String> submodules = submoduleHint(r, unfetched).or(() -> pytestTooNew(r));
    Optional<Failure> f = checkSuite(r, project, setup, where, how);
    if (f.isPresent() && submodules.isPresent()) {
      return Optional.of(new Failure(f.get().message(), submodules.get()));
    }
    return f;
  }

  private static final Pattern REMOVED_IN = Pattern.compile("PytestRemovedIn(\\d+)Warning");

  /**
   * When the suite stops on a deprecation pytest turns into an error in the version installed (the
   * project's filterwarnings = error, pytest newer than its CI's): the pin that runs it.
   */
  static Optional<String> pytestTooNew(GateReport r) {
    Matcher m =
        REMOVED_IN.matcher(String.join("\n", r.problems()) + "\n" + r.tests().failureExcerpt());
    if (!m.find()) {
      return Optional.empty();
    }
    return Optional.of(
        "the suite uses what pytest "
            + m.group(1)
            + " removes (PytestRemovedIn"
            + m.group(1)
            + "Warning, an error under the project's warning filters): run it with the pytest its"
            + " CI has, python.tools: {pytest: \"<"
            + (Integer.parseInt(m.group(1)) - 1)
            + "\"} in the task spec");
  }

  /**
   * When tests fail on the folders of submodules the clone could not fetch ({@code unfetched}):
   * which, and how to leave them out of the gates.
   */
  public static Optional<String> submoduleHint(GateReport r, List<String> unfetched) {
    List<String> named = new java.util.ArrayList<>();
    String text =
        String.join("\n", r.problems())
            + "\n"
            + r.tests().failureExcerpt()
            + "\n"
            + String.join("\n", r.tests().failing());
    for (String path : unfetched) {
      if (text.contains(path)) {
        named.add(path);
      }
    }
    if (named.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "the tests need "
            + String.join(", ", named)
            + ", declared in .gitmodules, which etask could not fetch (its folder is empty):"
            + " make the submodule fetchable from this machine, or leave those tests out of the"
            + " gates with quality_gates.tests.args (pytest: "
            + named.stream()
                .map(p -> "\"--ignore=" + p + "\"")
                .collect(java.util.stream.Collectors.joining(", "))
            + ", or --deselect=<test id> for a test elsewhere that reads it)");
  }

  private static Optional<Failure> checkSuite(
      GateReport r, Project project, GateSetup setup, String where, String how) {
    String runner = setup.runner().display();
    String missing = missingModule(r).map(m -> " " + whatImports(m, project)).orElse("");
    String declare = missingModule(r).map(m -> howToProvide(m, project)).orElse(null);
    for (String p : r.problems()) {
      if (!p.startsWith(runner)) {
        continue;
      }
      if (p.contains("ran no tests") && !project.hasTests()) {
        continue; // a repository without tests: the baseline is no tests, which is a real
        // measurement
      }
      return Optional.of(
          new Failure(
              "the repository's tests do not run on "
                  + where
                  + " the way etask runs them ("
                  + how
                  + "): "
                  + p
                  + missing,
              declare != null
                  ? declare
                  : "make the suite run, or tell etask how the project runs it: quality_gates.tests."
                      + "runner (pytest or unittest) and quality_gates.tests.args; a missing dependency goes in python.install"));
    }
    if (r.tests().total() == 0 && project.hasTests()) {
      return Optional.of(
          new Failure(
              "no test ran on "
                  + where
                  + ", but the repository has test files ("
                  + how
                  + ")"
                  + missing,
              declare != null
                  ? declare
                  : "set quality_gates.tests.runner and quality_gates.tests.args to run the suite as the project does"));
    }
    if (r.coverage() == null && project.hasTests()) {
      String why =
          r.problems().stream()
              .filter(p -> p.startsWith("coverage"))
              .findFirst()
              .orElse("no coverage data");
      return Optional.of(
          new Failure(
              "coverage could not be measured on " + where + ": " + why,
              "set python.source to the package folders, and check the repository's coverage settings"
                  + " ([tool.coverage.run] or .coveragerc)"));
    }
    return Optional.empty();
  }

  /** Who imports module {@code m} that Python could not find: coverage (a plugin) or the tests. */
  public static String whatImports(String m, Project project) {
    String local = project.coveragePlugins().get(m);
    if (local == null) {
      return "The tests import '" + m + "', which is not installed.";
    }
    return "Coverage's configuration loads the plugin '"
        + m
        + "', which Python cannot import"
        + (local.isEmpty() ? "." : " (the repository's own " + local + ", not on the path).");
  }

  /** How to make module {@code m} importable for the gates. */
  public static String howToProvide(String m, Project project) {
    String local = project.coveragePlugins().get(m);
    if (local != null && !local.isEmpty()) {
      // the folder above the module's own path (plugin a.b at src/a/b.py: src)
      String file =
          local.endsWith("/__init__.py") ? local.substring(0, local.length() - 12) : local;
      file = file.endsWith(".py") ? file.substring(0, file.length() - 3) : file;
      String own = m.replace('.', '/');
      String top = file.endsWith(own) ? file.substring(0, file.length() - own.length()) : file;
      top = top.endsWith("/") ? top.substring(0, top.length() - 1) : top;
      String folder = top.isEmpty() ? "" : "/" + top;
      return "put its folder on the gates' path, as the project's test command does: python.env:"
          + " [\"PYTHONPATH={repo}"
          + folder
          + "\"]";
    }
    return "declare '"
        + m
        + "' where the repository keeps its test dependencies ("
        + (project.dependencyFiles().isEmpty()
            ? "e.g. requirements-dev.txt or [project.optional-dependencies] test"
            : String.join(", ", project.dependencyFiles()))
        + ") or add it to python.install";
  }

  /** The module a test could not import, when one could not. */
  public static Optional<String> missingModule(GateReport r) {
    for (String text : List.of(String.join("\n", r.problems()), r.tests().failureExcerpt())) {
      Matcher m = MISSING_MODULE.matcher(text);
      if (m.find()) {
        return Optional.of(m.group(1));
      }
    }
    return Optional.empty();
  }
}
