package dev.etask.core.spec;

import dev.etask.core.spec.SpecException.Problem;
import dev.etask.core.spec.TaskSpec.BatchMode;
import dev.etask.core.spec.TaskSpec.OnTestFailure;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a {@code task.yaml} into a {@link TaskSpec}. Walks SnakeYAML Engine's node tree so every
 * problem keeps its line and column; collects all problems and reports them together.
 */
public final class SpecLoader {

  public static final int MAX_SPEC_BYTES = 256 * 1024;
  private static final int MAX_DEPTH = 16;
  public static final Set<String> RULE_NAMES =
      Set.of(
          "tests_failed",
          "tests_removed",
          "coverage_drop",
          "lint",
          "type",
          "large_diff",
          "generator_failed",
          "logic_conflict",
          "flaky",
          "weak_tests",
          "test_config",
          "binary_files");
  public static final Map<String, String> DEFAULT_TOOLS = defaultTools();

  /**
   * The built-in generators etask has (one loaded but not built would be a key that does nothing).
   */
  public static final List<String> BUILTINS =
      List.of(
          "crosshair",
          "hypothesis",
          "pynguin",
          "ruff-fix",
          "ruff-format",
          "ruff-modernize",
          "logging-normalize",
          "dependency-upgrade");

  private final Path file;
  private final SpecProblems problems;

  private SpecLoader(Path file) {
    this.file = file;
    this.problems = new SpecProblems(file);
  }

  /** Loads and validates the spec file; throws {@link SpecException} naming every problem found. */
  public static TaskSpec load(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    String text;
    try {
      if (Files.isDirectory(absolute)) {
        throw new SpecException(
            absolute, "is a folder; point etask.spec at a task YAML file inside it");
      }
      if (Files.size(absolute) > MAX_SPEC_BYTES) {
        throw new SpecException(
            absolute,
            "is larger than " + MAX_SPEC_BYTES / 1024 + " KiB; a task spec is a short YAML file");
      }
      text = Files.readString(absolute, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SpecException(
          absolute,
          "no such task spec; check the path given to etask.spec"
              + " (relative paths resolve against the folder Maven runs in)");
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new SpecException(
          absolute,
          "is not UTF-8 text (a task spec is YAML in UTF-8): save it as UTF-8, or check that"
              + " etask.spec names the YAML file and not another file");
    } catch (IOException e) {
      throw new SpecException(absolute, "cannot be read: " + e.getMessage());
    }
    return parse(absolute, text);
  }

  /** Parses spec text as if it came from {@code file}. */
  public static TaskSpec parse(Path file, String text) {
    return new SpecLoader(file).read(text);
  }

  private TaskSpec read(String text) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file.toString())
            .setAllowDuplicateKeys(true) // checked here, with both positions
            .setMaxAliasesForCollections(10)
            .setCodePointLimit(MAX_SPEC_BYTES)
            .build();
    List<Node> documents = new ArrayList<>();
    try {
      new Compose(settings).composeAllFromReader(new StringReader(text)).forEach(documents::add);
    } catch (MarkedYamlEngineException e) {
      Mark mark = e.getProblemMark().orElse(null);
      String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
      throw new SpecException(
          List.of(
              new Problem(
                  file,
                  mark == null ? 0 : mark.getLine() + 1,
                  mark == null ? 0 : mark.getColumn() + 1,
                  "invalid YAML: " + problem)));
    } catch (YamlEngineException e) {
      throw new SpecException(file, "invalid YAML: " + e.getMessage());
    }
    if (documents.isEmpty()) {
      throw new SpecException(
          file,
          "is empty; a task needs at least 'id', 'objective', 'target.include' and 'generator.command'");
    }
    if (documents.size() > 1) {
      problems.error(documents.get(1), "holds more than one YAML document; keep one task per file");
    }
    Node root = documents.get(0);
    if (!(root instanceof MappingNode)) {
      throw new SpecException(
          List.of(
              problems.at(
                  root, 0, "the top level must be a mapping of keys such as 'id:' and 'target:'")));
    }
    checkDepth(root, 0);
    TaskTypes.Template template = TaskTypes.template(typeName(root));
    String hash =
        template == null
            ? SpecHash.of(root)
            : SpecHash.of(root, template.name() + "@" + template.version());
    Node spec0 = template == null ? root : TaskTypes.merge(template.defaults(), root);
    TaskSpec spec = build(new YamlSection(spec0, "", problems), hash, template);
    if (!problems.isEmpty()) {
      throw new SpecException(problems.all());
    }
    return spec;
  }

  /** The value of the top-level {@code type:} when it is a plain string, else null. */
  private static String typeName(Node root) {
    for (NodeTuple t : ((MappingNode) root).getValue()) {
      if (t.getKeyNode() instanceof ScalarNode k
          && k.getValue().equals("type")
          && t.getValueNode() instanceof ScalarNode v) {
        return v.getValue();
      }
    }
    return null;
  }

  private TaskSpec build(YamlSection top, String hash, TaskTypes.Template template) {
    top.allow(
        "id",
        "branch",
        "objective",
        "type",
        "repository",
        "target",
        "strategy",
        "generator",
        "python",
        "limits",
        "quality_gates",
        "on_test_failure",
        "rules",
        "git",
        "pr",
        "sandbox");
    String id = top.string("id", null);
    if (id == null) {
      top.missing("id", "a short name such as 'add-payment-tests'");
    } else if (TaskIds.problem(id) != null) {
      problems.error(top.valueNode("id"), TaskIds.problem(id));
    }
    String branch = top.string("branch", id == null ? null : "auto/" + id);
    if (branch != null && !validBranch(branch)) {
      problems.error(top.valueNode("branch"), "invalid branch name '" + branch + "'");
    }
    String objective = top.string("objective", null);
    if (objective == null || objective.isBlank()) {
      top.missing("objective", "one sentence saying what the task should achieve");
    }
    String type = type(top);
    YamlSection repo = top.section("repository");
    repo.allow("url", "base");
    GeneratorSection.requireBatchMode(top, problems);
    return new TaskSpec(
        file,
        id,
        branch,
        objective,
        type,
        informational(template, top),
        new TaskSpec.Repository(repo.string("url", null), repo.string("base", null)),
        target(top.section("target")),
        strategy(top.section("strategy")),
        GeneratorSection.read(top.section("generator"), file, problems),
        SpecSections.python(top.section("python"), problems),
        limits(top.section("limits")),
        SpecSections.qualityGates(top.section("quality_gates"), problems),
        top.enumValue("on_test_failure", OnTestFailure.class, OnTestFailure.ROLLBACK),
        java.util.Collections.unmodifiableMap(SpecSections.rules(top.section("rules"), problems)),
        SpecSections.git(top.section("git"), problems),
        SpecSections.pr(top.section("pr"), problems),
        GeneratorSection.sandbox(top, problems),
        hash);
  }

  /**
   * The labels the type always produces, which do not raise the exit code: only while the type's
   * own generator runs (a command of the user's in its place makes no such promise).
   */
  private static List<String> informational(TaskTypes.Template template, YamlSection top) {
    if (template == null) {
      return List.of();
    }
    String builtin = top.section("generator").string("builtin", null);
    return builtin != null && builtin.equals(template.builtin())
        ? template.informationalLabels()
        : List.of();
  }

  /** The task's type: one etask has (a type loaded but not built would be a key doing nothing). */
  private String type(YamlSection top) {
    String type = top.string("type", TaskTypes.CUSTOM);
    if (!TaskTypes.names().contains(type)) {
      problems.error(
          top.valueNode("type"),
          "'type: "
              + type
              + "' is not a task type etask has; the known types: "
              + String.join(", ", TaskTypes.names())
              + Suggest.closest(type, TaskTypes.names())
                  .map(t -> " (did you mean '" + t + "'?)")
                  .orElse("")
              + ". 'mvn etask:templates' lists what each does; custom (the default) runs a command"
              + " of yours in generator.command");
    }
    return type;
  }

  private static TaskSpec.Limits limits(YamlSection limits) {
    limits.allow("max_commits", "max_runtime_minutes");
    return new TaskSpec.Limits(
        limits.integer("max_commits", 20, 1, 10_000),
        limits.duration("max_runtime_minutes", Duration.ofMinutes(30)));
  }

  private TaskSpec.Target target(YamlSection target) {
    target.allow("include", "exclude", "writable", "writable_tests");
    List<Glob> include = target.globs("include");
    if (include.isEmpty() && !target.has("include")) {
      target.missing(
          "include", "a list of globs of the files the task works on, e.g. [\"src/service/*.py\"]");
    } else if (include.isEmpty()) {
      problems.error(
          target.valueNode("include"),
          "'target.include' is empty; list at least one glob of files to work on");
    }
    return new TaskSpec.Target(
        include,
        target.globs("exclude"),
        target.globs("writable"),
        target.bool("writable_tests", false));
  }

  private static TaskSpec.Strategy strategy(YamlSection strategy) {
    strategy.allow("batch_mode", "max_attempts_per_batch", "max_generator_failures");
    return new TaskSpec.Strategy(
        strategy.enumValue("batch_mode", BatchMode.class, BatchMode.SINGLE_FILE),
        strategy.integer("max_attempts_per_batch", 1, 1, 10),
        strategy.integer("max_generator_failures", 3, 1, 1000));
  }

  private static boolean validBranch(String b) {
    return !b.isBlank()
        && !b.startsWith("/")
        && !b.endsWith("/")
        && !b.endsWith(".lock")
        && !b.contains("..")
        && !b.contains("//")
        && b.chars().noneMatch(c -> c <= ' ' || "~^:?*[\\".indexOf(c) >= 0)
        && !b.contains("@{");
  }

  private static Map<String, String> defaultTools() {
    Map<String, String> tools = new LinkedHashMap<>();
    tools.put("pytest", ">=8,<10");
    tools.put("coverage", ">=7,<8");
    tools.put("ruff", ">=0.6");
    tools.put("mypy", ">=1.10");
    return java.util.Collections.unmodifiableMap(tools);
  }

  // ---------------------------------------------------------------------------------------------

  private void checkDepth(Node node, int depth) {
    if (depth > MAX_DEPTH) {
      throw new SpecException(
          List.of(problems.at(node, 0, "nested deeper than " + MAX_DEPTH + " levels")));
    }
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        checkDepth(t.getValueNode(), depth + 1);
      }
    } else if (node instanceof SequenceNode s) {
      for (Node n : s.getValue()) {
        checkDepth(n, depth + 1);
      }
    }
  }
}
