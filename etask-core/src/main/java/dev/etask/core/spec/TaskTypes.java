package dev.etask.core.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The task types: each a template (a YAML file beside this class, {@code types/<name>.yaml}) with
 * defaults for a spec's sections. A spec of that type is the template's {@code defaults} with the
 * user's spec over it: maps merge key by key, anything else (lists, scalars) replaces. {@code
 * custom} has no template: the spec is all there is.
 */
public final class TaskTypes {
  public static final String CUSTOM = "custom";

  /** The types with a template, in the order {@code etask:templates} lists them. */
  private static final List<String> TEMPLATED =
      List.of(
          "add-tests",
          "lint-fix",
          "format",
          "modernize",
          "logging-normalize",
          "dependency-upgrade",
          "llm",
          "agent");

  private static final Map<String, Template> TEMPLATES = load();

  private TaskTypes() {}

  /**
   * One type: its {@code version} (in the spec hash: a changed template is a changed spec), what it
   * does, the labels its PRs always carry (informational: they never raise the exit code), its
   * options as documentation, and its defaults as YAML nodes.
   */
  public record Template(
      String name,
      int version,
      String summary,
      List<String> informationalLabels,
      Map<String, String> options,
      String defaultsText,
      Node defaults) {
    /** The built-in generator the type's defaults name. */
    public String builtin() {
      Node generator = child(defaults, "generator");
      Node builtin = generator == null ? null : child(generator, "builtin");
      return builtin instanceof ScalarNode s ? s.getValue() : null;
    }
  }

  private static Node child(Node map, String key) {
    if (map instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (key.equals(key(t))) {
          return t.getValueNode();
        }
      }
    }
    return null;
  }

  /** Every type name, {@code custom} first. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    names.add(CUSTOM);
    names.addAll(TEMPLATED);
    return names;
  }

  /**
   * The template of {@code type}, or null for {@code custom} and for a type etask does not have.
   */
  public static Template template(String type) {
    return type == null ? null : TEMPLATES.get(type);
  }

  /** Every template, in listing order. */
  public static List<Template> templates() {
    return TEMPLATED.stream().map(TEMPLATES::get).toList();
  }

  /**
   * What {@code etask:templates} prints: every type (or only {@code only}) with what it does, its
   * options and its defaults as YAML; null when {@code only} is not a type.
   */
  public static String listing(String only) {
    if (only != null && !names().contains(only)) {
      return null;
    }
    StringBuilder b = new StringBuilder("The task types ('type:' in a task spec):\n");
    if (only == null || only.equals(CUSTOM)) {
      b.append(
              "\ncustom (the default)\n  Runs a command of yours (generator.command) on each batch;")
          .append(" the spec says everything else.\n");
    }
    for (Template t : templates()) {
      if (only != null && !only.equals(t.name())) {
        continue;
      }
      b.append('\n')
          .append(t.name())
          .append(" (template version ")
          .append(t.version())
          .append(")\n");
      b.append("  ").append(t.summary()).append('\n');
      t.options()
          .forEach((k, v) -> b.append("  option ").append(k).append(": ").append(v).append('\n'));
      if (!t.informationalLabels().isEmpty()) {
        b.append("  informational labels (never raise the exit code): ")
            .append(String.join(", ", t.informationalLabels()))
            .append('\n');
      }
      t.defaultsText().lines().forEach(line -> b.append("  ").append(line).append('\n'));
    }
    if (only == null) {
      b.append("\nA spec of a type needs only id, type, objective, repository and target.include;")
          .append(
              " what it says beside them overrides the defaults (maps key by key, lists whole).\n");
    }
    return b.toString();
  }

  /**
   * The spec {@code user} over the defaults {@code template}: mappings merge key by key (the user's
   * entries keep their place, and so their line numbers), anything else is the user's.
   */
  static Node merge(Node template, Node user) {
    if (!(template instanceof MappingNode t) || !(user instanceof MappingNode u)) {
      return user;
    }
    Map<String, Node> defaults = new LinkedHashMap<>();
    t.getValue().forEach(tuple -> defaults.put(key(tuple), tuple.getValueNode()));
    Set<String> given =
        u.getValue().stream().map(TaskTypes::key).collect(Collectors.toUnmodifiableSet());
    List<NodeTuple> merged = new ArrayList<>();
    for (NodeTuple tuple : u.getValue()) {
      Node base = defaults.get(key(tuple));
      merged.add(
          base == null
              ? tuple
              : new NodeTuple(tuple.getKeyNode(), merge(base, tuple.getValueNode())));
    }
    for (NodeTuple tuple : t.getValue()) {
      if (!given.contains(key(tuple))) {
        merged.add(tuple);
      }
    }
    return new MappingNode(
        u.getTag(), true, merged, u.getFlowStyle(), u.getStartMark(), u.getEndMark());
  }

  private static String key(NodeTuple tuple) {
    return tuple.getKeyNode() instanceof ScalarNode k ? k.getValue() : "";
  }

  private static Map<String, Template> load() {
    Map<String, Template> templates = new LinkedHashMap<>();
    for (String name : TEMPLATED) {
      templates.put(name, read(name));
    }
    return Map.copyOf(templates);
  }

  private static Template read(String name) {
    String resource = "types/" + name + ".yaml";
    try (InputStream in = TaskTypes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("etask's jar lacks " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      LoadSettings settings = LoadSettings.builder().setLabel("etask type " + name).build();
      Node root = new Compose(settings).composeReader(new java.io.StringReader(text)).orElseThrow();
      Map<String, Node> top = new LinkedHashMap<>();
      ((MappingNode) root).getValue().forEach(t -> top.put(key(t), t.getValueNode()));
      return new Template(
          name,
          Integer.parseInt(scalar(top.get("version"))),
          scalar(top.get("summary")),
          strings(top.get("informational_labels")),
          options(top.get("options")),
          text.substring(text.indexOf("defaults:")),
          top.get("defaults"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String scalar(Node node) {
    return ((ScalarNode) node).getValue();
  }

  private static List<String> strings(Node node) {
    return node == null
        ? List.of()
        : ((SequenceNode) node).getValue().stream().map(TaskTypes::scalar).toList();
  }

  private static Map<String, String> options(Node node) {
    Map<String, String> options = new LinkedHashMap<>();
    if (node != null) {
      ((MappingNode) node).getValue().forEach(t -> options.put(key(t), scalar(t.getValueNode())));
    }
    return options;
  }
}
