package dev.etask.core.spec;

import dev.etask.core.spec.SpecException.Problem;
import dev.etask.core.spec.TaskSpec.Action;
import dev.etask.core.spec.TaskSpec.BatchMode;
import dev.etask.core.spec.TaskSpec.OnTestFailure;
import dev.etask.core.spec.TaskSpec.Provider;
import dev.etask.core.spec.TaskSpec.RuleOverride;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a {@code task.yaml} into a {@link TaskSpec}. Walks SnakeYAML Engine's node tree so every
 * problem keeps its line and column; collects all problems and reports them together.
 */
public final class SpecLoader {

  public static final int MAX_SPEC_BYTES = 256 * 1024;
  private static final int MAX_DEPTH = 16;
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|h)?");
  public static final Set<String> RULE_NAMES = Set.of("tests_failed", "coverage_drop", "lint", "type", "large_diff",
      "generator_failed", "logic_conflict", "flaky", "weak_tests", "test_config");
  public static final Map<String, String> DEFAULT_TOOLS = defaultTools();

  private final Path file;
  private final List<Problem> problems = new ArrayList<>();

  private SpecLoader(Path file) {
    this.file = file;
  }

  /** Loads and validates the spec file; throws {@link SpecException} naming every problem found. */
  public static TaskSpec load(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    String text;
    try {
      if (Files.isDirectory(absolute)) {
        throw new SpecException(absolute, "is a folder; point etask.spec at a task YAML file inside it");
      }
      if (Files.size(absolute) > MAX_SPEC_BYTES) {
        throw new SpecException(absolute, "is larger than " + MAX_SPEC_BYTES / 1024 + " KiB; a task spec is a short YAML file");
      }
      text = Files.readString(absolute, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new SpecException(absolute, "no such task spec; check the path given to etask.spec"
          + " (relative paths resolve against the folder Maven runs in)");
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
    LoadSettings settings = LoadSettings.builder()
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
      throw new SpecException(List.of(new Problem(file, mark == null ? 0 : mark.getLine() + 1,
          mark == null ? 0 : mark.getColumn() + 1, "invalid YAML: " + problem)));
    } catch (YamlEngineException e) {
      throw new SpecException(file, "invalid YAML: " + e.getMessage());
    }
    if (documents.isEmpty()) {
      throw new SpecException(file, "is empty; a task needs at least 'id', 'objective', 'target.include' and 'generator.command'");
    }
    if (documents.size() > 1) {
      error(documents.get(1), "holds more than one YAML document; keep one task per file");
    }
    Node root = documents.get(0);
    if (!(root instanceof MappingNode)) {
      throw new SpecException(List.of(at(root, "the top level must be a mapping of keys such as 'id:' and 'target:'")));
    }
    checkDepth(root, 0);
    TaskSpec spec = build(new Section(root, ""));
    if (!problems.isEmpty()) {
      throw new SpecException(problems);
    }
    return spec;
  }

  private TaskSpec build(Section top) {
    top.allow("id", "branch", "objective", "type", "repository", "target", "strategy", "generator", "python",
        "limits", "quality_gates", "on_test_failure", "rules", "git", "pr");

    String id = top.string("id", null);
    if (id == null) {
      top.missing("id", "a short name such as 'add-payment-tests'");
    } else if (TaskIds.problem(id) != null) {
      error(top.valueNode("id"), TaskIds.problem(id));
    }
    String branch = top.string("branch", id == null ? null : "auto/" + id);
    if (branch != null && !validBranch(branch)) {
      error(top.valueNode("branch"), "invalid branch name '" + branch + "'");
    }
    String objective = top.string("objective", null);
    if (objective == null || objective.isBlank()) {
      top.missing("objective", "one sentence saying what the task should achieve");
    }
    String type = top.string("type", "custom");

    Section repo = top.section("repository");
    repo.allow("url", "base");
    TaskSpec.Repository repository = new TaskSpec.Repository(repo.string("url", null), repo.string("base", null));

    Section target = top.section("target");
    target.allow("include", "exclude", "writable");
    List<Glob> include = target.globs("include");
    if (include.isEmpty() && !target.has("include")) {
      target.missing("include", "a list of globs of the files the task works on, e.g. [\"src/service/*.py\"]");
    } else if (include.isEmpty()) {
      error(target.valueNode("include"), "'target.include' is empty; list at least one glob of files to work on");
    }
    TaskSpec.Target targetSpec = new TaskSpec.Target(include, target.globs("exclude"), target.globs("writable"));

    Section strategy = top.section("strategy");
    strategy.allow("batch_mode", "max_attempts_per_batch", "max_generator_failures");
    TaskSpec.Strategy strategySpec = new TaskSpec.Strategy(
        strategy.enumValue("batch_mode", BatchMode.class, BatchMode.SINGLE_FILE),
        strategy.integer("max_attempts_per_batch", 1, 1, 10),
        strategy.integer("max_generator_failures", 3, 1, 1000));

    Section gen = top.section("generator");
    gen.allow("command", "timeout", "env");
    String command = gen.string("command", null);
    if (command == null || command.isBlank()) {
      gen.missing("command", "the command that changes a batch, e.g. \"python {spec_dir}/gen.py {file}\"");
    }
    TaskSpec.Generator generator = new TaskSpec.Generator(command, gen.duration("timeout", Duration.ofMinutes(10)),
        gen.variableNames("env"));

    Section py = top.section("python");
    py.allow("interpreter", "install", "tools", "source", "env");
    Map<String, String> tools = new LinkedHashMap<>();
    Map<String, String> toolOverrides = py.stringMap("tools");
    for (Map.Entry<String, String> e : toolOverrides.entrySet()) {
      if (!DEFAULT_TOOLS.containsKey(e.getKey())) {
        error(py.valueNode("tools"), "unknown tool '" + e.getKey() + "'"
            + Suggest.closest(e.getKey(), DEFAULT_TOOLS.keySet()).map(k -> "; did you mean '" + k + "'?").orElse("")
            + " (tools: " + String.join(", ", DEFAULT_TOOLS.keySet()) + ")");
      }
      tools.put(e.getKey(), e.getValue());
    }
    TaskSpec.Python python = new TaskSpec.Python(py.string("interpreter", "python3"),
        py.has("install") ? py.words("install") : null, java.util.Collections.unmodifiableMap(tools),
        py.has("source") ? py.strings("source") : null, py.variableNames("env"));

    Section limits = top.section("limits");
    limits.allow("max_commits", "max_runtime_minutes");
    TaskSpec.Limits limitsSpec = new TaskSpec.Limits(limits.integer("max_commits", 20, 1, 10_000),
        limits.duration("max_runtime_minutes", Duration.ofMinutes(30)));

    Section gates = top.section("quality_gates");
    gates.allow("require_all_tests_pass", "min_coverage_delta", "coverage_tolerance", "forbid_new_type_errors",
        "forbid_new_lint_errors", "max_diff_lines", "flaky_reruns", "check_assertions", "mutation_check", "tests",
        "lint");
    Section tests = gates.section("tests");
    tests.allow("runner", "args");
    Section lint = gates.section("lint");
    lint.allow("select");
    List<String> select = lint.has("select") ? lint.strings("select") : null;
    if (select != null) {
      for (String rule : select) {
        if (!rule.matches("[A-Z]+[0-9]*|ALL")) {
          error(lint.valueNode("select"), "'" + rule + "' is not a ruff rule code or prefix (such as E9, F82, I001, ALL)");
        }
      }
    }
    TaskSpec.QualityGates qualityGates = new TaskSpec.QualityGates(
        gates.bool("require_all_tests_pass", true),
        gates.number("min_coverage_delta", 0),
        gates.number("coverage_tolerance", 0.5),
        gates.bool("forbid_new_type_errors", true),
        gates.bool("forbid_new_lint_errors", true),
        gates.integer("max_diff_lines", 400, 1, Integer.MAX_VALUE),
        gates.integer("flaky_reruns", 3, 0, 20),
        gates.bool("check_assertions", true),
        gates.bool("mutation_check", false),
        new TaskSpec.Tests(tests.enumValue("runner", TaskSpec.Runner.class, TaskSpec.Runner.AUTO), tests.argv("args")),
        new TaskSpec.Lint(select));

    OnTestFailure onTestFailure = top.enumValue("on_test_failure", OnTestFailure.class, OnTestFailure.ROLLBACK);

    Map<String, RuleOverride> rules = new LinkedHashMap<>();
    Section rulesSection = top.section("rules");
    for (String name : rulesSection.keys()) {
      Section rule = rulesSection.section(name);
      if (RULE_NAMES.contains(name)) {
        rule.allow("action", "label");
        rules.put(name, new RuleOverride(rule.enumValue("action", Action.class, null), rule.string("label", null), null));
        continue;
      }
      if (!rule.has("when")) {
        error(rulesSection.keyNode(name), "unknown rule '" + name + "'"
            + Suggest.closest(name, RULE_NAMES).map(k -> "; did you mean '" + k + "'?").orElse("")
            + " (built-in rules: " + String.join(", ", new java.util.TreeSet<>(RULE_NAMES))
            + "; a custom rule needs 'when: <expression>')");
        continue;
      }
      rule.allow("when", "action", "label");
      if (!name.matches("[a-z][a-z0-9_]*")) {
        error(rulesSection.keyNode(name), "rule names use lower-case letters, digits and '_'");
      }
      List<Expression> when = rule.expressions("when");
      rules.put(name, new RuleOverride(rule.enumValue("action", Action.class, Action.KEEP),
          rule.string("label", name.replace('_', '-')), when.isEmpty() ? null : when.get(0)));
    }

    Section git = top.section("git");
    git.allow("author", "test_files");
    String author = git.string("author", "etask <etask@users.noreply.localhost>");
    Matcher am = Pattern.compile("\\s*(.+?)\\s*<([^<>\\s]+)>\\s*").matcher(author);
    String authorName = "etask";
    String authorEmail = "etask@users.noreply.localhost";
    if (am.matches()) {
      authorName = am.group(1);
      authorEmail = am.group(2);
    } else {
      error(git.valueNode("author"), "'git.author' must look like 'Name <email@example.com>'");
    }
    List<Glob> testFiles = git.has("test_files") ? git.globs("test_files")
        : List.of(Glob.compile("tests/**"), Glob.compile("**/test_*.py"), Glob.compile("**/*_test.py"));
    TaskSpec.Git gitSpec = new TaskSpec.Git(authorName, authorEmail, testFiles);

    Section pr = top.section("pr");
    pr.allow("provider", "title_prefix", "labels", "failure_pr", "risk_rules");
    Section risk = pr.section("risk_rules");
    risk.allow("high_if", "medium_if");
    Provider provider = pr.enumValue("provider", Provider.class, Provider.AUTO);
    if (provider == Provider.GITHUB) {
      error(pr.valueNode("provider"), "'pr.provider: github' is not available in this etask version (the GitHub"
          + " provider comes with a later release); use 'local' (the PR is recorded in the task's artifacts) or 'none'");
    }
    TaskSpec.Pr prSpec = new TaskSpec.Pr(
        provider,
        pr.string("title_prefix", "chore(etask):"),
        pr.has("labels") ? pr.strings("labels") : List.of("automated"),
        pr.bool("failure_pr", false),
        risk.expressions("high_if"),
        risk.expressions("medium_if"));

    return new TaskSpec(file, id, branch, objective, type, repository, targetSpec, strategySpec, generator, python,
        limitsSpec, qualityGates, onTestFailure, java.util.Collections.unmodifiableMap(rules), gitSpec, prSpec);
  }

  private static boolean validBranch(String b) {
    return !b.isBlank() && !b.startsWith("/") && !b.endsWith("/") && !b.endsWith(".lock") && !b.contains("..")
        && !b.contains("//") && b.chars().noneMatch(c -> c <= ' ' || "~^:?*[\\".indexOf(c) >= 0)
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
      throw new SpecException(List.of(at(node, "nested deeper than " + MAX_DEPTH + " levels")));
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

  private Problem at(Node node, String message) {
    return at(node, 0, message);
  }

  private Problem at(Node node, int offset, String message) {
    Mark mark = node == null ? null : node.getStartMark().orElse(null);
    if (mark == null) {
      return new Problem(file, 0, 0, message);
    }
    return new Problem(file, mark.getLine() + 1, mark.getColumn() + 1 + offset, message);
  }

  private void error(Node node, String message) {
    problems.add(at(node, message));
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) node;
    Tag tag = s.getTag();
    if (Tag.NULL.equals(tag)) {
      return "nothing (null)";
    }
    if (Tag.BOOL.equals(tag)) {
      return "a boolean '" + s.getValue() + "'";
    }
    if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      return "a number '" + s.getValue() + "'";
    }
    return "a string '" + s.getValue() + "'";
  }

  /** One mapping of the spec, with typed, position-aware getters. Absent sections are empty. */
  private final class Section {
    private final Node node;
    private final String path;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    Section(Node node, String path) {
      this.node = node;
      this.path = path;
      if (node instanceof MappingNode m) {
        for (NodeTuple t : m.getValue()) {
          if (!(t.getKeyNode() instanceof ScalarNode k)) {
            error(t.getKeyNode(), "keys must be plain names");
            continue;
          }
          NodeTuple first = entries.putIfAbsent(k.getValue(), t);
          if (first != null) {
            int line = first.getKeyNode().getStartMark().map(mk -> mk.getLine() + 1).orElse(0);
            error(k, "duplicate key '" + qualified(k.getValue()) + "' (first defined on line " + line
                + "); keep one of them");
          }
        }
      }
    }

    String qualified(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    void allow(String... keys) {
      List<String> valid = Arrays.asList(keys);
      for (NodeTuple t : entries.values()) {
        String key = ((ScalarNode) t.getKeyNode()).getValue();
        if (!valid.contains(key)) {
          String hint = Suggest.closest(key, valid).map(k -> "; did you mean '" + k + "'?")
              .orElse("; valid keys" + (path.isEmpty() ? "" : " in '" + path + "'") + ": "
                  + valid.stream().sorted().collect(Collectors.joining(", ")));
          error(t.getKeyNode(), "unknown key '" + qualified(key) + "'" + hint);
        }
      }
    }

    boolean has(String key) {
      NodeTuple t = entries.get(key);
      return t != null && !isNull(t.getValueNode());
    }

    List<String> keys() {
      return List.copyOf(entries.keySet());
    }

    Node keyNode(String key) {
      NodeTuple t = entries.get(key);
      return t == null ? node : t.getKeyNode();
    }

    Node valueNode(String key) {
      NodeTuple t = entries.get(key);
      return t == null ? node : t.getValueNode();
    }

    void missing(String key, String what) {
      if (!entries.containsKey(key)) {
        error(node, "missing required key '" + qualified(key) + "': " + what);
      } else {
        error(valueNode(key), "'" + qualified(key) + "' must not be empty: " + what);
      }
    }

    Section section(String key) {
      if (!has(key)) {
        return new Section(null, qualified(key));
      }
      Node value = valueNode(key);
      if (!(value instanceof MappingNode)) {
        error(value, "'" + qualified(key) + "' must be a mapping (indented 'key: value' lines) but is "
            + describe(value));
        return new Section(null, qualified(key));
      }
      return new Section(value, qualified(key));
    }

    private ScalarNode scalar(String key, String expected) {
      if (!has(key)) {
        return null;
      }
      Node value = valueNode(key);
      if (!(value instanceof ScalarNode s)) {
        error(value, "'" + qualified(key) + "' must be " + expected + " but is " + describe(value));
        return null;
      }
      return s;
    }

    String string(String key, String def) {
      ScalarNode s = scalar(key, "a string");
      return s == null ? def : s.getValue();
    }

    boolean bool(String key, boolean def) {
      ScalarNode s = scalar(key, "true or false");
      if (s == null) {
        return def;
      }
      if (!Tag.BOOL.equals(s.getTag())) {
        error(s, "'" + qualified(key) + "' must be true or false but is " + describe(s));
        return def;
      }
      return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
    }

    int integer(String key, int def, int min, int max) {
      ScalarNode s = scalar(key, "a whole number");
      if (s == null) {
        return def;
      }
      if (!Tag.INT.equals(s.getTag())) {
        error(s, "'" + qualified(key) + "' must be a whole number but is " + describe(s));
        return def;
      }
      long v;
      try {
        v = Long.parseLong(s.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        error(s, "'" + qualified(key) + "' must be a whole number but is " + describe(s));
        return def;
      }
      if (v < min || v > max) {
        error(s, "'" + qualified(key) + "' must be between " + min + " and " + max + " but is " + v);
        return def;
      }
      return (int) v;
    }

    double number(String key, double def) {
      ScalarNode s = scalar(key, "a number");
      if (s == null) {
        return def;
      }
      if (!Tag.INT.equals(s.getTag()) && !Tag.FLOAT.equals(s.getTag())) {
        error(s, "'" + qualified(key) + "' must be a number but is " + describe(s));
        return def;
      }
      return Double.parseDouble(s.getValue());
    }

    Duration duration(String key, Duration def) {
      ScalarNode s = scalar(key, "a duration");
      if (s == null) {
        return def;
      }
      Matcher m = DURATION.matcher(s.getValue().trim());
      if (!m.matches()) {
        error(s, "'" + qualified(key) + "' must be a duration such as 90s, 30m or 2h (a plain number means minutes)"
            + " but is '" + s.getValue() + "'");
        return def;
      }
      double amount = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "m" : m.group(2);
      double seconds = switch (unit) {
        case "s" -> amount;
        case "h" -> amount * 3600;
        default -> amount * 60;
      };
      if (seconds <= 0) {
        error(s, "'" + qualified(key) + "' must be longer than zero");
        return def;
      }
      return Duration.ofMillis(Math.round(seconds * 1000));
    }

    <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
      ScalarNode s = scalar(key, "one of " + choices(type));
      if (s == null) {
        return def;
      }
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(s.getValue())) {
          return e;
        }
      }
      List<String> names = choices(type);
      error(s, "'" + qualified(key) + "' must be one of " + String.join(", ", names) + " but is '" + s.getValue() + "'"
          + Suggest.closest(s.getValue(), names).map(k -> "; did you mean '" + k + "'?").orElse(""));
      return def;
    }

    private <E extends Enum<E>> List<String> choices(Class<E> type) {
      return Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    }

    List<ScalarNode> scalarList(String key) {
      if (!has(key)) {
        return List.of();
      }
      Node value = valueNode(key);
      List<Node> items;
      if (value instanceof SequenceNode seq) {
        items = seq.getValue();
      } else if (value instanceof ScalarNode) {
        items = List.of(value); // a single string is a list of one
      } else {
        error(value, "'" + qualified(key) + "' must be a list of strings but is " + describe(value));
        return List.of();
      }
      List<ScalarNode> out = new ArrayList<>();
      for (Node item : items) {
        if (item instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
          out.add(s);
        } else {
          error(item, "'" + qualified(key) + "' must hold strings but holds " + describe(item));
        }
      }
      return out;
    }

    List<String> strings(String key) {
      return scalarList(key).stream().map(ScalarNode::getValue).toList();
    }

    /**
     * Each item that is an option split into words like a shell would ("-r requirements.txt" is two
     * arguments); any other item is one argument ("requests >= 2.31", "tomli; python_version < '3.11'").
     */
    List<String> words(String key) {
      List<String> out = new ArrayList<>();
      for (ScalarNode s : scalarList(key)) {
        if (!s.getValue().strip().startsWith("-")) {
          out.add(s.getValue().strip());
          continue;
        }
        try {
          out.addAll(ShellWords.split(s.getValue()));
        } catch (IllegalArgumentException e) {
          error(s, "'" + qualified(key) + "' item '" + s.getValue() + "': " + e.getMessage()
              + "; each item is split into arguments like a shell line");
        }
      }
      return List.copyOf(out);
    }

    /** Command-line arguments: every item split into words like a shell line. */
    List<String> argv(String key) {
      List<String> out = new ArrayList<>();
      for (ScalarNode s : scalarList(key)) {
        try {
          out.addAll(ShellWords.split(s.getValue()));
        } catch (IllegalArgumentException e) {
          error(s, "'" + qualified(key) + "' item '" + s.getValue() + "': " + e.getMessage());
        }
      }
      return List.copyOf(out);
    }

    /** Names of environment variables. */
    List<String> variableNames(String key) {
      List<String> names = strings(key);
      for (String name : names) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          error(valueNode(key), "'" + name + "' is not an environment variable name");
        }
      }
      return names;
    }

    List<Glob> globs(String key) {
      List<Glob> out = new ArrayList<>();
      for (ScalarNode s : scalarList(key)) {
        try {
          out.add(Glob.compile(s.getValue()));
        } catch (IllegalArgumentException e) {
          error(s, "bad glob in '" + qualified(key) + "': " + e.getMessage());
        }
      }
      return List.copyOf(out);
    }

    List<Expression> expressions(String key) {
      List<Expression> out = new ArrayList<>();
      for (ScalarNode s : scalarList(key)) {
        try {
          out.add(Expression.parse(s.getValue()));
        } catch (Expression.ParseException e) {
          boolean quoted = s.getScalarStyle() == ScalarStyle.DOUBLE_QUOTED
              || s.getScalarStyle() == ScalarStyle.SINGLE_QUOTED;
          problems.add(at(s, e.offset() + (quoted ? 1 : 0), "bad expression in '" + qualified(key) + "': "
              + e.getMessage()));
        }
      }
      return List.copyOf(out);
    }

    Map<String, String> stringMap(String key) {
      Section sub = section(key);
      Map<String, String> out = new LinkedHashMap<>();
      for (String k : sub.keys()) {
        String v = sub.string(k, null);
        if (v != null) {
          out.put(k, v);
        }
      }
      return out;
    }
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }
}
