package dev.etask.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON Schema of task.yaml, made from the loader itself: while it reads specs that use every
 * section, each {@link YamlSection} reports the keys it allows and how it reads each one (a string,
 * a number between bounds, one of an enum's values, a list, a duration, a nested section). What the
 * loader accepts is what the schema says, and a key added to the loader is in the next schema.
 */
public final class SpecModel {
  static final ThreadLocal<SpecModel> RECORDING = new ThreadLocal<>();
  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** Section path ("" for the top, "pr.github", "rules.*" for every rule) → key → its schema. */
  private final Map<String, Map<String, ObjectNode>> sections = new TreeMap<>();

  private SpecModel() {}

  static void allowed(String path, List<String> keys) {
    SpecModel m = RECORDING.get();
    if (m != null) {
      Map<String, ObjectNode> section = m.section(path);
      keys.forEach(k -> section.putIfAbsent(k, MAPPER.createObjectNode()));
    }
  }

  static void read(String path, String key, ObjectNode schema) {
    SpecModel m = RECORDING.get();
    if (m != null) {
      ObjectNode known = m.section(path).get(key);
      // a closer reading (an enum, a number) wins over one as any scalar
      if (known == null || known.isEmpty() || known.equals(scalar())) {
        m.section(path).put(key, schema);
      }
    }
  }

  private Map<String, ObjectNode> section(String path) {
    // every rule reads alike: built-in ones (action, label) and custom ones (when, action, label)
    String at = path.startsWith("rules.") ? "rules.*" : path;
    return sections.computeIfAbsent(at, k -> new LinkedHashMap<>());
  }

  /** The schema of task.yaml: what the loader reads of {@code probes} (spec texts). */
  public static ObjectNode schema(List<String> probes) {
    SpecModel m = new SpecModel();
    RECORDING.set(m);
    try {
      for (String probe : probes) {
        try {
          SpecLoader.parse(Path.of("probe.yaml"), probe);
        } catch (SpecException | EtaskException e) {
          // a probe need not be a valid spec: what was read is recorded
        }
      }
    } finally {
      RECORDING.remove();
    }
    ObjectNode root = m.object("");
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$id", "https://etask.dev/schema/task.schema.json");
    root.put("title", "etask task spec (task.yaml)");
    root.put(
        "description",
        "Generated from etask's spec loader: every key it reads, and how. Any key may also be"
            + " null (the same as leaving it out).");
    return root;
  }

  private ObjectNode object(String path) {
    ObjectNode o = MAPPER.createObjectNode().put("type", "object");
    ObjectNode props = o.putObject("properties");
    for (Map.Entry<String, ObjectNode> e : sections.getOrDefault(path, Map.of()).entrySet()) {
      String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      JsonNode schema = e.getValue();
      if (child.equals("rules")) {
        ObjectNode rules = MAPPER.createObjectNode().put("type", "object");
        rules.set("additionalProperties", nullable(object("rules.*")));
        schema = rules;
      } else if (sections.containsKey(child)) {
        schema = object(child);
      }
      props.set(e.getKey(), nullable((ObjectNode) schema));
    }
    o.put("additionalProperties", false);
    return o;
  }

  /** Null is always accepted: the loader takes it as the key left out. */
  private static ObjectNode nullable(ObjectNode schema) {
    if (schema.isEmpty()) {
      return schema;
    }
    ObjectNode out = MAPPER.createObjectNode();
    ArrayNode any = out.putArray("anyOf");
    any.add(schema);
    any.addObject().put("type", "null");
    return out;
  }

  static ObjectNode type(String type) {
    return MAPPER.createObjectNode().put("type", type);
  }

  /** What {@code string()} reads: any scalar (YAML's 4 and true are strings to it too). */
  static ObjectNode scalar() {
    ObjectNode o = MAPPER.createObjectNode();
    o.putArray("type").add("string").add("number").add("boolean");
    return o;
  }

  /** 90s, 30m, 2h, or a plain number of minutes. */
  static ObjectNode duration() {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode any = o.putArray("anyOf");
    any.addObject().put("type", "string").put("pattern", "^\\s*\\d+(\\.\\d+)?\\s*(s|m|h)?\\s*$");
    any.addObject().put("type", "number");
    o.put("description", "a duration: 90s, 30m, 2h; a plain number means minutes");
    return o;
  }

  static ObjectNode list() {
    ObjectNode scalar = MAPPER.createObjectNode();
    scalar.putArray("type").add("string").add("number").add("boolean");
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode any = o.putArray("anyOf");
    any.add(scalar.deepCopy()); // a single value is a list of one
    ObjectNode array = any.addObject().put("type", "array");
    array.set("items", scalar);
    return o;
  }
}
