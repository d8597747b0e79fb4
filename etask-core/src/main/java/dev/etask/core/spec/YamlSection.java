package dev.etask.core.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * One mapping of a spec, with typed getters that know where each value is: every problem becomes a
 * {@link Problem} at its {@code file:line:column}, collected in {@link Problems}. Absent sections
 * are empty.
 */
/** One mapping of the spec, with typed, position-aware getters. Absent sections are empty. */
final class YamlSection {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(s|m|h)?");

  private final SpecProblems problems;
  private final Node node;
  private final String path;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  YamlSection(Node node, String path, SpecProblems problems) {
    this.problems = problems;
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
          error(
              k,
              "duplicate key '"
                  + qualified(k.getValue())
                  + "' (first defined on line "
                  + line
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
    SpecModel.allowed(path, valid);
    for (NodeTuple t : entries.values()) {
      String key = ((ScalarNode) t.getKeyNode()).getValue();
      if (!valid.contains(key)) {
        String hint =
            Suggest.closest(key, valid)
                .map(k -> "; did you mean '" + k + "'?")
                .orElse(
                    "; valid keys"
                        + (path.isEmpty() ? "" : " in '" + path + "'")
                        + ": "
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

  YamlSection section(String key) {
    SpecModel.read(path, key, SpecModel.type("object"));
    if (!has(key)) {
      return new YamlSection(null, qualified(key), problems);
    }
    Node value = valueNode(key);
    if (!(value instanceof MappingNode)) {
      error(
          value,
          "'"
              + qualified(key)
              + "' must be a mapping (indented 'key: value' lines) but is "
              + SpecProblems.describe(value));
      return new YamlSection(null, qualified(key), problems);
    }
    return new YamlSection(value, qualified(key), problems);
  }

  private ScalarNode scalar(String key, String expected) {
    if (!has(key)) {
      return null;
    }
    Node value = valueNode(key);
    if (!(value instanceof ScalarNode s)) {
      error(
          value,
          "'"
              + qualified(key)
              + "' must be "
              + expected
              + " but is "
              + SpecProblems.describe(value));
      return null;
    }
    return s;
  }

  String string(String key, String def) {
    SpecModel.read(path, key, SpecModel.scalar());
    ScalarNode s = scalar(key, "a string");
    return s == null ? def : s.getValue();
  }

  boolean bool(String key, boolean def) {
    SpecModel.read(path, key, SpecModel.type("boolean"));
    ScalarNode s = scalar(key, "true or false");
    if (s == null) {
      return def;
    }
    if (!Tag.BOOL.equals(s.getTag())) {
      error(s, "'" + qualified(key) + "' must be true or false but is " + SpecProblems.describe(s));
      return def;
    }
    return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
  }

  int integer(String key, int def, int min, int max) {
    SpecModel.read(path, key, SpecModel.type("integer").put("minimum", min).put("maximum", max));
    ScalarNode s = scalar(key, "a whole number");
    if (s == null) {
      return def;
    }
    if (!Tag.INT.equals(s.getTag())) {
      error(
          s, "'" + qualified(key) + "' must be a whole number but is " + SpecProblems.describe(s));
      return def;
    }
    long v;
    try {
      v = Long.parseLong(s.getValue().replace("_", ""));
    } catch (NumberFormatException e) {
      error(
          s, "'" + qualified(key) + "' must be a whole number but is " + SpecProblems.describe(s));
      return def;
    }
    if (v < min || v > max) {
      error(s, "'" + qualified(key) + "' must be between " + min + " and " + max + " but is " + v);
      return def;
    }
    return (int) v;
  }

  double number(String key, double def) {
    SpecModel.read(path, key, SpecModel.type("number"));
    ScalarNode s = scalar(key, "a number");
    if (s == null) {
      return def;
    }
    if (!Tag.INT.equals(s.getTag()) && !Tag.FLOAT.equals(s.getTag())) {
      error(s, "'" + qualified(key) + "' must be a number but is " + SpecProblems.describe(s));
      return def;
    }
    return Double.parseDouble(s.getValue());
  }

  Duration duration(String key, Duration def) {
    SpecModel.read(path, key, SpecModel.duration());
    ScalarNode s = scalar(key, "a duration");
    if (s == null) {
      return def;
    }
    Matcher m = DURATION.matcher(s.getValue().trim());
    if (!m.matches()) {
      error(
          s,
          "'"
              + qualified(key)
              + "' must be a duration such as 90s, 30m or 2h (a plain number means minutes)"
              + " but is '"
              + s.getValue()
              + "'");
      return def;
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "m" : m.group(2);
    double seconds =
        switch (unit) {
          case "s" -> amount;
          case "h" -> amount * 3600;
          default -> amount * 60;
        };
    if (seconds < 1) {
      // etask counts time in whole seconds: less would stop at once and say "after 0s"
      error(
          s,
          "'"
              + qualified(key)
              + "' must be at least 1 second but is '"
              + s.getValue()
              + "' (durations are 90s, 30m, 2h; a plain number means minutes)");
      return def;
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
    com.fasterxml.jackson.databind.node.ObjectNode schema = SpecModel.type("string");
    choices(type).forEach(schema.putArray("enum")::add);
    SpecModel.read(path, key, schema);
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
    error(
        s,
        "'"
            + qualified(key)
            + "' must be one of "
            + String.join(", ", names)
            + " but is '"
            + s.getValue()
            + "'"
            + Suggest.closest(s.getValue(), names)
                .map(k -> "; did you mean '" + k + "'?")
                .orElse(""));
    return def;
  }

  private <E extends Enum<E>> List<String> choices(Class<E> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(e -> e.name().toLowerCase(Locale.ROOT))
        .toList();
  }

  List<ScalarNode> scalarList(String key) {
    SpecModel.read(path, key, SpecModel.list());
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
      error(
          value,
          "'"
              + qualified(key)
              + "' must be a list of strings but is "
              + SpecProblems.describe(value));
      return List.of();
    }
    List<ScalarNode> out = new ArrayList<>();
    for (Node item : items) {
      if (item instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
        out.add(s);
      } else {
        error(
            item,
            "'" + qualified(key) + "' must hold strings but holds " + SpecProblems.describe(item));
      }
    }
    return out;
  }

  List<String> strings(String key) {
    return scalarList(key).stream().map(ScalarNode::getValue).toList();
  }

  /**
   * Each item that is an option split into words like a shell would ("-r requirements.txt" is two
   * arguments); any other item is one argument ("requests >= 2.31", "tomli; python_version <
   * '3.11'").
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
        error(
            s,
            "'"
                + qualified(key)
                + "' item '"
                + s.getValue()
                + "': "
                + e.getMessage()
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
        boolean quoted =
            s.getScalarStyle() == ScalarStyle.DOUBLE_QUOTED
                || s.getScalarStyle() == ScalarStyle.SINGLE_QUOTED;
        problems.add(
            problems.at(
                s,
                e.offset() + (quoted ? 1 : 0),
                "bad expression in '" + qualified(key) + "': " + e.getMessage()));
      }
    }
    return List.copyOf(out);
  }

  void error(Node at, String message) {
    problems.error(at, message);
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag());
  }
}
