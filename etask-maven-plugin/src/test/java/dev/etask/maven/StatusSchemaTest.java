package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.github.victools.jsonschema.module.jackson.JacksonOption;
import dev.etask.core.json.Json;
import dev.etask.core.report.StatusDocument;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schema of {@code status.json} shipped in the plugin jar is the one the {@link
 * StatusDocument} record describes. When the record changes, run this test with {@code
 * -Detask.schema.update=true} to rewrite the shipped file, and review the diff.
 */
class StatusSchemaTest {
  static final String RESOURCE = "META-INF/etask/status.schema.json";
  static final Path SOURCE = Path.of("src/main/resources", RESOURCE);

  static String generate() throws IOException {
    SchemaGeneratorConfigBuilder config =
        new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
            .with(new JacksonModule(JacksonOption.RESPECT_JSONPROPERTY_ORDER))
            .with(
                Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT,
                Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES,
                Option.INLINE_ALL_SCHEMAS);
    // a measurement that could not be taken is null, never 0: boxed numbers, booleans and texts
    config
        .forFields()
        .withNullableCheck(
            field -> {
              Class<?> type = field.getType().getErasedType();
              return !type.isPrimitive()
                  && !List.class.isAssignableFrom(type)
                  && !Map.class.isAssignableFrom(type);
            })
        .withRequiredCheck(
            field -> {
              JsonInclude include = field.getAnnotationConsideringFieldAndGetter(JsonInclude.class);
              return include == null
                  || (include.value() != JsonInclude.Include.NON_NULL
                      && include.value() != JsonInclude.Include.NON_EMPTY);
            });
    ObjectNode schema = new SchemaGenerator(config.build()).generateSchema(StatusDocument.class);
    ObjectNode head = Json.MAPPER.createObjectNode();
    head.set("$schema", schema.remove("$schema"));
    head.put("$id", "https://etask.dev/schema/status.schema.json");
    head.put("title", "etask status.json");
    head.put(
        "description",
        "The outcome of one etask task. schema_version changes when a field changes meaning or"
            + " goes away.");
    head.setAll(schema);
    return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(head) + "\n";
  }

  @Test
  void theShippedSchemaIsTheRecords() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("etask.schema.update")) {
      Files.createDirectories(SOURCE.getParent());
      Files.writeString(SOURCE, generated, StandardCharsets.UTF_8);
    }
    String shipped;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE + " in the plugin jar").isNotNull();
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(Boolean.getBoolean("etask.schema.update") ? generated : shipped)
        .as(
            "StatusDocument changed: rerun with -Detask.schema.update=true and review the diff of "
                + SOURCE)
        .isEqualTo(generated);
  }

  @Test
  void everyFieldTheEngineWritesIsInTheSchemaUnderItsJsonName() throws IOException {
    JsonNode schema = Json.MAPPER.readTree(generate());
    JsonNode properties = schema.path("properties");
    assertThat(properties.has("schema_version")).isTrue();
    assertThat(properties.has("exit_code")).isTrue();
    assertThat(properties.has("schemaVersion")).as("camelCase leaked").isFalse();
    assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();

    StatusDocument sample =
        new StatusDocument(
            1,
            "t",
            "auto/t",
            "main",
            "abc",
            "repo",
            "obj",
            1,
            3,
            0,
            0,
            2,
            80.0,
            81.0,
            1.0,
            0,
            0,
            List.of(),
            List.of(),
            "low",
            false,
            0,
            0,
            "ok",
            null,
            "https://x/pr/1",
            "s",
            "f",
            Map.of("ruff", "0.1"),
            new StatusDocument.Gates("pytest", List.of(), null, List.of(), List.of("src")),
            "bubblewrap",
            false,
            List.of("12 (sleep 300)"),
            Map.of("prepare", 5L),
            Map.of("prepare", 1L),
            900L,
            List.of(),
            null,
            null,
            new StatusDocument.Failure("C", "PREPARE", "m", "n"),
            new StatusDocument.SemanticReview("m1", "medium", List.of("why"), null),
            List.of(
                new StatusDocument.Batch(
                    0,
                    List.of("a.py"),
                    "DONE",
                    1,
                    "accepted",
                    "r",
                    List.of(),
                    Map.of(),
                    List.of(),
                    List.of(),
                    true,
                    "abc",
                    3,
                    "incremental",
                    "def",
                    List.of("tests/test_a.py: merged structurally"),
                    "0123abc",
                    new StatusDocument.Usage(10, 2, 0.01),
                    new StatusDocument.Upgrade("requests", "2.31.0", "2.32.3"))),
            List.of(
                new StatusDocument.Part(
                    1, "auto/x-part-1", List.of(1), 40, "abc", "https://x/pr/2")));
    JsonNode written = Json.MAPPER.valueToTree(sample);
    List<String> missing = new ArrayList<>();
    written
        .fieldNames()
        .forEachRemaining(
            f -> {
              if (!properties.has(f)) missing.add(f);
            });
    JsonNode batchProps = properties.path("batches").path("items").path("properties");
    written
        .path("batches")
        .get(0)
        .fieldNames()
        .forEachRemaining(
            f -> {
              if (!batchProps.has(f)) missing.add("batches[]." + f);
            });
    assertThat(missing).isEmpty();
    assertThat(properties.path("phases_ms").path("additionalProperties").path("type").asText())
        .isEqualTo("integer");
    assertThat(schema.path("required").toString()).contains("\"tests_passed\"");
    assertThat(schema.path("required").toString()).doesNotContain("failure_pr_url");
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    assertThat(dev.etask.core.report.StatusJson.requiredFields())
        .as("the fields the dashboard requires of a status.json are the schema's")
        .containsExactlyInAnyOrderElementsOf(required);
    assertThat(properties.path("tests_passed").path("type").toString())
        .as("a measurement that could not be taken is null")
        .contains("null");
  }
}
