package dev.etask.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskTypesTest {
  private static final Path FILE = Path.of("/specs/task.yaml");

  /** All a typed spec needs: the type supplies the rest. */
  private static String minimal(String type) {
    return """
        id: t
        type: %s
        objective: "Do it"
        repository:
          url: ../repo
        target:
          include: ["src/**/*.py"]
        """
        .formatted(type);
  }

  @Test
  void everyTypeLoadsFromTheFiveKeysAloneWithItsOwnGenerator() {
    assertThat(TaskTypes.names())
        .containsExactly(
            "custom",
            "add-tests",
            "lint-fix",
            "format",
            "modernize",
            "logging-normalize",
            "dependency-upgrade",
            "llm",
            "agent");
    for (TaskTypes.Template t : TaskTypes.templates()) {
      if (t.name().equals("llm") || t.name().equals("agent")) {
        continue; // they need a key: below
      }
      TaskSpec spec = SpecLoader.parse(FILE, minimal(t.name()));
      assertThat(spec.type()).isEqualTo(t.name());
      assertThat(spec.generator().command()).as(t.name()).isNull();
      assertThat(SpecLoader.BUILTINS).as(t.name()).contains(spec.generator().builtin());
      assertThat(spec.generator().network()).as(t.name()).isFalse();
      assertThat(spec.pr().titlePrefix()).as(t.name()).isNotEqualTo("chore(etask):");
      assertThat(t.summary()).isNotBlank();
      assertThat(t.options()).containsKey("generator.builtin");
    }
    TaskSpec addTests = SpecLoader.parse(FILE, minimal("add-tests"));
    assertThat(addTests.generator().builtin()).isEqualTo("crosshair");
    assertThat(addTests.target().writableTests()).isTrue();
    assertThat(addTests.target().include())
        .extracting(Glob::toString)
        .containsExactly("src/**/*.py");
    assertThat(SpecLoader.parse(FILE, minimal("format")).generator().builtin())
        .isEqualTo("ruff-format");
  }

  @Test
  void theUsersSpecOverridesTheTemplateMapsKeyByKeyListsWhole() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            minimal("lint-fix")
                + """
                generator:
                  timeout: 30s
                pr:
                  labels: [mine]
                """);
    assertThat(spec.generator().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(spec.generator().builtin()).isEqualTo("ruff-fix"); // the rest of the map stays
    assertThat(spec.pr().labels()).containsExactly("mine"); // the list is replaced
    assertThat(spec.pr().titlePrefix()).isEqualTo("style(lint):");
    assertThat(spec.informationalLabels()).containsExactly("large-diff", "coverage-changed");
    assertThat(spec.rules().get("coverage_drop").action()).isEqualTo(TaskSpec.Action.KEEP);
    TaskSpec custom = SpecLoader.parse(FILE, minimal("custom") + "generator: {command: x}\n");
    assertThat(custom.informationalLabels()).isEmpty();
    assertThat(custom.target().writableTests()).isFalse();
  }

  @Test
  void theLlmTypeNeedsAModelAndNamesItsKeyNeverHoldsIt() {
    assertThatThrownBy(() -> SpecLoader.parse(FILE, minimal("llm")))
        .hasMessageContaining("generator.llm.model");
    TaskSpec spec = SpecLoader.parse(FILE, minimal("llm") + "generator: {llm: {model: m1}}\n");
    assertThat(spec.generator().llm())
        .isEqualTo(
            new TaskSpec.Llm("https://api.openai.com/v1", "m1", "OPENAI_API_KEY", 4096, 0.2));
    assertThat(spec.generator().builtin()).isNull();
    TaskSpec local =
        SpecLoader.parse(
            FILE,
            minimal("custom")
                + "generator:\n  llm: {base_url: 'http://localhost:8080/v1/', model: m2,"
                + " api_key_env: MY_KEY, max_tokens: 100, temperature: 0}\n");
    assertThat(local.generator().llm())
        .isEqualTo(new TaskSpec.Llm("http://localhost:8080/v1", "m2", "MY_KEY", 100, 0.0));
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE,
                    minimal("llm") + "generator: {llm: {model: m, api_key_env: 'sk-abc123'}}\n"))
        .hasMessageContaining("the NAME of the environment variable");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE,
                    minimal("llm")
                        + "generator: {llm: {model: m, base_url: 'https://u:p@host/v1'}}\n"))
        .hasMessageContaining("without credentials");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE, minimal("llm") + "generator: {command: 'x {file}', llm: {model: m}}\n"))
        .hasMessageContaining(
            "'generator.llm' and 'generator.command' both say what changes a batch");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(FILE, minimal("llm") + "generator: {llm: {model: m, top_p: 1}}\n"))
        .hasMessageContaining("top_p");
  }

  @Test
  void theAgentTypeRunsTheAgentsDocumentedCommandLine() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE, minimal("agent") + "generator: {env: [OPENAI_API_KEY, AIDER_MODEL]}\n");
    assertThat(spec.generator().command())
        .startsWith("aider --yes-always --no-auto-commits")
        .contains("--message-file {prompt_file} {files}")
        .contains("--chat-history-file {workspace}/");
    assertThat(spec.generator().env()).containsExactly("OPENAI_API_KEY", "AIDER_MODEL");
    assertThat(spec.generator().network()).isTrue();
    assertThatThrownBy(
            () -> SpecLoader.parse(FILE, minimal("agent") + "generator: {agent: cursor}\n"))
        .hasMessageContaining(
            "'generator.agent: cursor' is not an agent etask knows; it knows aider, claude-code");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE, minimal("agent") + "generator: {command: 'x {prompt_file}'}\n"))
        .hasMessageContaining("'generator.command' and 'generator.agent' both say");
    TaskSpec own =
        SpecLoader.parse(
            FILE,
            minimal("agent") + "generator: {command: 'my-agent {prompt_file}', agent: null}\n");
    assertThat(own.generator().command()).isEqualTo("my-agent {prompt_file}");
    assertThatThrownBy(
            () -> SpecLoader.parse(FILE, minimal("agent") + "generator: {env: [GITHUB_TOKEN]}\n"))
        .hasMessageContaining("GITHUB_TOKEN");
  }

  @Test
  void aCommandOfTheUsersReplacesNothingSilently() {
    assertThatThrownBy(
            () -> SpecLoader.parse(FILE, minimal("format") + "generator: {command: 'x {file}'}\n"))
        .hasMessageContaining("task.yaml:8:13: 'generator.command' and 'generator.builtin'")
        .hasMessageContaining("write 'builtin: null' beside it");
    TaskSpec own =
        SpecLoader.parse(
            FILE, minimal("lint-fix") + "generator: {command: 'x {file}', builtin: null}\n");
    assertThat(own.generator().builtin()).isNull();
    assertThat(own.generator().command()).isEqualTo("x {file}");
    // the type's promise that its labels are informational holds only for its own generator
    assertThat(own.informationalLabels()).isEmpty();
    assertThat(SpecLoader.parse(FILE, minimal("lint-fix")).informationalLabels())
        .containsExactly("large-diff", "coverage-changed");
  }

  @Test
  void unknownTypesAndGeneratorsAreSpecErrorsNamingTheKnownOnes() {
    assertThatThrownBy(() -> SpecLoader.parse(FILE, minimal("add-test")))
        .hasMessageContaining("task.yaml:2:7: 'type: add-test' is not a task type etask has")
        .hasMessageContaining("custom, add-tests, lint-fix, format, modernize, logging-normalize")
        .hasMessageContaining("did you mean 'add-tests'?")
        .hasMessageContaining("mvn etask:templates");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(FILE, minimal("add-tests") + "generator:\n  builtin: pynguine\n"))
        .hasMessageContaining("'generator.builtin: pynguine' is not a generator etask has")
        .hasMessageContaining("crosshair, hypothesis, pynguin");
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE, minimal("dependency-upgrade") + "strategy:\n  batch_mode: single_file\n"))
        .hasMessageContaining(
            "'generator.builtin: dependency-upgrade' upgrades one dependency a batch: it needs"
                + " 'strategy.batch_mode: per_dependency'")
        .hasMessageContaining("not 'single_file'");
    assertThatThrownBy(
            () -> SpecLoader.parse(FILE, minimal("add-tests") + "generator:\n  builtin: pynguin\n"))
        .hasMessageContaining(
            "task.yaml:9:12: 'generator.builtin: pynguin' runs the repository's code")
        .hasMessageContaining("sandbox: required");
    assertThat(
            SpecLoader.parse(
                    FILE,
                    minimal("add-tests") + "generator:\n  builtin: pynguin\nsandbox: required\n")
                .generator()
                .builtin())
        .isEqualTo("pynguin");
  }

  @Test
  void theHashCoversTheTypeAndTheTemplatesVersion() {
    String a = SpecLoader.parse(FILE, minimal("format")).hash();
    assertThat(SpecLoader.parse(FILE, "# a comment\n" + minimal("format")).hash()).isEqualTo(a);
    assertThat(SpecLoader.parse(FILE, minimal("lint-fix")).hash()).isNotEqualTo(a);
    String yaml = minimal("format");
    var root =
        new org.snakeyaml.engine.v2.api.lowlevel.Compose(
                org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
            .composeString(yaml)
            .orElseThrow();
    assertThat(SpecHash.of(root, "format@" + TaskTypes.template("format").version())).isEqualTo(a);
    assertThat(SpecHash.of(root, "format@" + (TaskTypes.template("format").version() + 1)))
        .isNotEqualTo(a);
    assertThat(SpecHash.of(root)).isNotEqualTo(a);
  }

  @Test
  void mergingKeepsTheUsersLinesForItsProblems() {
    assertThatThrownBy(
            () ->
                SpecLoader.parse(
                    FILE, minimal("modernize") + "strategy:\n  batch_mode: sometimes\n"))
        .hasMessageContaining("task.yaml:9:15");
    List<String> defaults =
        TaskTypes.templates().stream().map(TaskTypes.Template::defaultsText).toList();
    assertThat(defaults).allMatch(text -> text.startsWith("defaults:"));
  }

  @Test
  void theListingNamesEveryTypeWithItsDefaults() {
    String all = TaskTypes.listing(null);
    for (String type : TaskTypes.names()) {
      assertThat(all).contains("\n" + type + " (").as(type);
    }
    assertThat(all).contains("builtin: crosshair").contains("option generator.builtin:");
    assertThat(TaskTypes.listing("format"))
        .contains("builtin: ruff-format")
        .doesNotContain("crosshair");
    assertThat(TaskTypes.listing("nope")).isNull();
  }

  @Test
  void theReadyExampleOfEveryTypeLoads() throws java.io.IOException {
    Path tasks = Path.of("..", "tasks").toAbsolutePath().normalize();
    java.util.Set<String> types = new java.util.TreeSet<>();
    // the key-needing types' examples live in tasks/examples/, out of a launch of tasks/
    try (var files = java.nio.file.Files.walk(tasks, 2)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> p.getParent().equals(tasks) || p.getParent().endsWith("examples"))
              .toList()) {
        TaskSpec spec = SpecLoader.load(f);
        types.add(spec.type());
        assertThat(java.nio.file.Files.isDirectory(spec.specDir().resolve(spec.repository().url())))
            .as(f + ": its bundled repository")
            .isTrue();
      }
    }
    assertThat(types).containsAll(TaskTypes.names());
  }
}
