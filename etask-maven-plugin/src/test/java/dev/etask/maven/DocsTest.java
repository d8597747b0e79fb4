package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The documentation keeps up with the code: the reference in docs/task-yaml.md holds every key the
 * spec loader reads (and none it does not), every goal has its row, and the README's links lead to
 * files that exist.
 */
class DocsTest {
  static final Path DOCS = Path.of("..", "docs");

  @Test
  void theTaskYamlReferenceHoldsEveryKeyTheLoaderReads() throws Exception {
    String doc = Files.readString(DOCS.resolve("task-yaml.md"));
    Matcher block = Pattern.compile("(?s)```yaml\n(.*?)```").matcher(doc);
    assertThat(block.find()).as("the reference block").isTrue();
    Object reference = new Load(LoadSettings.builder().build()).loadFromString(block.group(1));
    TreeSet<String> documented = new TreeSet<>();
    paths(reference, "", documented);
    TreeSet<String> read = new TreeSet<>();
    schemaPaths(TaskSchemaTest.generate(), "", read);
    assertThat(documented).as("keys the reference lacks").containsAll(read);
    assertThat(read)
        .as("keys the reference names that the loader does not read")
        .containsAll(documented);
  }

  @Test
  void everyGoalHasItsRowAndTheReadmesLinksLeadSomewhere() throws Exception {
    String goals = Files.readString(DOCS.resolve("goals.md"));
    String plugin = Files.readString(Path.of("target/classes/META-INF/maven/plugin.xml"));
    Matcher goal = Pattern.compile("<goal>([a-z-]+)</goal>").matcher(plugin);
    while (goal.find()) {
      assertThat(goals)
          .as("docs/goals.md on " + goal.group(1))
          .contains("| `etask:" + goal.group(1) + "` |");
    }
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher link = Pattern.compile("\\]\\((docs/[^)#]+)").matcher(readme);
    int links = 0;
    while (link.find()) {
      assertThat(Path.of("..", link.group(1))).as(link.group(1)).exists();
      links++;
    }
    assertThat(links).isGreaterThan(10);
  }

  @Test
  void everyFieldOfStatusJsonIsDescribed() throws Exception {
    String doc = Files.readString(DOCS.resolve("outputs.md"));
    JsonNode schema =
        dev.etask.core.json.Json.MAPPER.readTree(
            Path.of("src/main/resources/META-INF/etask/status.schema.json").toFile());
    java.util.List<String> missing = new java.util.ArrayList<>();
    schema.path("properties").fieldNames().forEachRemaining(f -> described(doc, f, missing));
    schema
        .path("properties")
        .path("batches")
        .path("items")
        .path("properties")
        .fieldNames()
        .forEachRemaining(f -> described(doc, f, missing));
    assertThat(missing).as("status.json fields docs/outputs.md does not describe").isEmpty();
  }

  private static void described(String doc, String field, java.util.List<String> missing) {
    if (!doc.contains("`" + field + "`")) {
      missing.add(field);
    }
  }

  /** Key paths of a loaded YAML tree; a rule's keys under rules.* (rule names are free). */
  @SuppressWarnings("unchecked")
  private static void paths(Object node, String at, TreeSet<String> out) {
    if (!(node instanceof Map<?, ?> map)) {
      return;
    }
    for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
      String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
      if (at.equals("python.tools")) {
        continue; // tool names are the tools'
      }
      if (at.equals("rules")) {
        paths(e.getValue(), "rules.*", out); // rule names are free
        continue;
      }
      out.add(path);
      paths(e.getValue(), path, out);
    }
  }

  private static void schemaPaths(JsonNode node, String at, TreeSet<String> out) {
    JsonNode object = node.has("anyOf") ? node.path("anyOf").get(0) : node;
    object
        .path("properties")
        .fields()
        .forEachRemaining(
            e -> {
              String path = at.isEmpty() ? e.getKey() : at + "." + e.getKey();
              if (!at.equals("python.tools")) { // tool names are the tools'
                out.add(path);
                schemaPaths(e.getValue(), path, out);
              }
            });
    JsonNode more = object.path("additionalProperties");
    if (more.isObject()) {
      schemaPaths(more, at + ".*", out);
    }
  }
}
