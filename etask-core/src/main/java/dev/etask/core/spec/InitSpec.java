package dev.etask.core.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code etask:init}: a commented task spec of a type for a repository, with what etask detects of
 * it said at the top (layout, test folder, runner, tools), so a new user starts from a spec that
 * loads and says how to run it.
 */
public final class InitSpec {
  /** What the repository looks like, read from its files (no Python runs). */
  public record Detected(String layout, String testFolder, String runner, List<String> tools) {
    public String describe() {
      return layout
          + " layout; tests "
          + (testFolder == null ? "not found" : "in " + testFolder + "/")
          + ", run by "
          + runner
          + (tools.isEmpty()
              ? "; no lint or type checker configured"
              : "; " + String.join(" and ", tools) + " configured");
    }
  }

  private InitSpec() {}

  public static Detected detect(Path repo) throws IOException {
    String pyproject = read(repo.resolve("pyproject.toml"));
    String setupCfg = read(repo.resolve("setup.cfg"));
    String tox = read(repo.resolve("tox.ini"));
    String layout = Files.isDirectory(repo.resolve("src")) ? "src" : "flat";
    String tests =
        Files.isDirectory(repo.resolve("tests"))
            ? "tests"
            : Files.isDirectory(repo.resolve("test")) ? "test" : null;
    String runner;
    if (pyproject.contains("[tool.pytest.ini_options]")) {
      runner = "pytest (configured in pyproject.toml)";
    } else if (Files.exists(repo.resolve("pytest.ini"))) {
      runner = "pytest (configured in pytest.ini)";
    } else if (setupCfg.contains("[tool:pytest]") || tox.contains("[pytest]")) {
      runner =
          "pytest (configured in "
              + (setupCfg.contains("[tool:pytest]") ? "setup.cfg" : "tox.ini")
              + ")";
    } else {
      runner =
          "pytest, or unittest when the tests are all TestCase classes (etask decides at PREPARE)";
    }
    List<String> tools = new ArrayList<>();
    if (pyproject.contains("[tool.ruff")
        || Files.exists(repo.resolve("ruff.toml"))
        || Files.exists(repo.resolve(".ruff.toml"))) {
      tools.add("ruff");
    }
    if (pyproject.contains("[tool.mypy")
        || Files.exists(repo.resolve("mypy.ini"))
        || setupCfg.contains("[mypy")) {
      tools.add("mypy");
    }
    return new Detected(layout, tests, runner, List.copyOf(tools));
  }

  /**
   * An id from the type and the include pattern: {@code add-tests-payment} for {@code
   * src/service/payment.py}, {@code add-tests-service} for {@code src/service/*.py}.
   */
  public static String id(String type, String include) {
    String stem = "";
    for (String part : include.split("/")) {
      if (!part.matches(".*[*?\\[{].*") && !part.isEmpty()) {
        stem = part.replaceAll("\\.py$", ""); // the last segment that is not a pattern
      }
    }
    String raw = (type + "-" + stem).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    raw = raw.replaceAll("^-+|-+$", "").replaceAll("-+", "-");
    return raw.length() > 60 ? raw.substring(0, 60).replaceAll("-+$", "") : raw;
  }

  /**
   * The spec's text. {@code url} is the repository as the spec names it (relative to the spec's
   * folder, or the origin's URL).
   */
  public static String text(
      String id, String type, String include, String url, Detected d, String command) {
    TaskTypes.Template t = TaskTypes.CUSTOM.equals(type) ? null : TaskTypes.template(type);
    StringBuilder y = new StringBuilder();
    // editors that read this comment (the YAML language server) complete and check the spec
    y.append("# yaml-language-server: $schema=schema/task.schema.json\n");
    y.append("# Written by etask:init. Detected: ").append(d.describe()).append(".\n");
    y.append("# Preview it (nothing pushed):  mvn etask:run -Detask.spec=tasks/")
        .append(id)
        .append(".yaml -Detask.dryRun\n");
    y.append("# Run it:                       mvn etask:run -Detask.spec=tasks/")
        .append(id)
        .append(".yaml\n");
    if (t != null) {
      y.append("# What the type sets and what you may override: mvn etask:templates -Detask.type=")
          .append(type)
          .append('\n');
    }
    y.append("id: ").append(id).append('\n');
    y.append("type: ").append(type).append('\n');
    y.append("objective: ").append(quote(objective(type, include))).append('\n');
    y.append("repository:\n  url: ")
        .append(quote(url))
        .append("   # any git URL or path; relative to this file's folder\n")
        .append("  # base: main                 # default: the origin's default branch\n");
    y.append("target:\n  include: [").append(quote(include)).append("]\n");
    if (d.testFolder() != null && !"add-tests".equals(type)) {
      // what a free-form generator writes is often tests; a mechanical type changes its files only
      boolean free = List.of(TaskTypes.CUSTOM, "llm", "agent").contains(type);
      y.append(free ? "  writable: [\"" : "  # writable: [\"")
          .append(d.testFolder())
          .append("/**\"]   # what a batch may change besides its own files\n");
    }
    switch (type) {
      case "llm" ->
          y.append(
              "generator:\n  llm:\n    model: gpt-4o-mini        # the key comes from OPENAI_API_KEY\n");
      case "agent" ->
          y.append(
              "generator:\n  agent: aider              # or claude-code\n"
                  + "  env: [OPENAI_API_KEY, AIDER_MODEL, OPENAI_API_BASE]   # what the agent needs\n");
      case TaskTypes.CUSTOM ->
          y.append("generator:\n  command: ")
              .append(quote(command))
              .append(
                  "   # changes the batch's files; {file}, {files}, {spec_dir}, {prompt_file}\n");
      default -> {}
    }
    y.append(
        "pr:\n  provider: auto   # local records, or GitHub when the origin is on github.com\n");
    return y.toString();
  }

  /** The objective a type's spec starts with: the PR's title, so short and imperative. */
  static String objective(String type, String include) {
    return switch (type) {
      case "add-tests" -> "Add unit tests for " + include;
      case "lint-fix" -> "Fix what ruff finds in " + include;
      case "format" -> "Format " + include;
      case "modernize" -> "Modernize the syntax of " + include;
      case "logging-normalize" -> "Normalise the logging calls in " + include;
      case "dependency-upgrade" -> "Upgrade the dependencies pinned in " + include;
      default -> "Describe what the task should do to " + include;
    };
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String read(Path p) throws IOException {
    return Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }
}
