package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etask.core.json.Json;
import dev.etask.core.spec.SpecModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema of task.yaml, shipped in the plugin jar and in {@code tasks/schema/}, is what the
 * spec loader reads (made by {@link SpecModel} from the loader reading a spec with every key,
 * {@code schema-probe.yaml}, and every bundled spec). When the loader changes, run this test with
 * {@code -Detask.schema.update=true} to write both files again, and review the diff.
 */
class TaskSchemaTest {
  static final Path SHIPPED = Path.of("src/main/resources/META-INF/etask/task.schema.json");
  static final Path TASKS = Path.of("..", "tasks", "schema", "task.schema.json");

  static ObjectNode generate() throws IOException {
    List<String> probes = new ArrayList<>();
    try (InputStream in = TaskSchemaTest.class.getResourceAsStream("schema-probe.yaml")) {
      probes.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    // a coding agent's generator is read another way than a command
    probes.add(
        "id: probe\nobjective: p\nrepository: {url: x}\ntarget: {include: [a]}\n"
            + "generator: {agent: aider}\n");
    try (Stream<Path> specs = Files.walk(Path.of("..", "tasks"), 2)) {
      for (Path p : specs.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        probes.add(Files.readString(p));
      }
    }
    return SpecModel.schema(probes);
  }

  @Test
  void theShippedSchemasAreWhatTheLoaderReads() throws IOException {
    String generated = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(generate());
    if (Boolean.getBoolean("etask.schema.update")) {
      Files.createDirectories(TASKS.getParent());
      Files.writeString(SHIPPED, generated + "\n");
      Files.writeString(TASKS, generated + "\n");
    }
    assertThat(Files.readString(SHIPPED))
        .as("the spec loader changed: rerun with -Detask.schema.update=true, review the diff")
        .isEqualTo(generated + "\n");
    assertThat(Files.readString(TASKS)).isEqualTo(generated + "\n");
  }

  @Test
  void everyKeyTheLoaderAllowsHasATypeAndEverySectionRefusesOthers() throws IOException {
    List<String> untyped = new ArrayList<>();
    walk(generate(), "", untyped);
    assertThat(untyped).as("keys the loader allows but the probes never made it read").isEmpty();
  }

  @Test
  void theKeysAreTheLoadersAndTheExamplesUseTheSchema() throws IOException {
    JsonNode schema = generate();
    JsonNode top = schema.path("properties");
    assertThat(top.path("pr").path("anyOf").get(0).path("properties").has("max_lines")).isTrue();
    assertThat(
            top.path("strategy")
                .path("anyOf")
                .get(0)
                .path("properties")
                .path("batch_mode")
                .path("anyOf")
                .get(0)
                .path("enum")
                .toString())
        .isEqualTo("[\"single_file\",\"per_directory\",\"all\",\"per_dependency\"]");
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    // every bundled spec names the schema, so editors complete and check it
    try (Stream<Path> specs = Files.walk(Path.of("..", "tasks"), 2)) {
      for (Path p : specs.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        String rel = p.getParent().endsWith("examples") ? "../schema/" : "schema/";
        assertThat(Files.readString(p))
            .as(p.toString())
            .startsWith("# yaml-language-server: $schema=" + rel + "task.schema.json\n");
      }
    }
  }

  /** Keys whose schema says nothing ({}), by path. */
  private static void walk(JsonNode node, String path, List<String> untyped) {
    JsonNode object = node.has("anyOf") ? node.path("anyOf").get(0) : node;
    object
        .path("properties")
        .fields()
        .forEachRemaining(
            e -> {
              String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
              if (e.getValue().isEmpty()) {
                untyped.add(at);
              }
              walk(e.getValue(), at, untyped);
            });
    JsonNode more = object.path("additionalProperties");
    if (more.isObject()) {
      walk(more, path + ".*", untyped);
    }
  }
}
