package dev.etask.core.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.json.Json;
import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the repository says about itself ({@code detect_project.py} reads its packaging files with
 * the machine's interpreter), with the task spec's {@code python} settings over it.
 */
final class ProjectInspection {
  private static final Duration QUICK = Duration.ofMinutes(2);

  private ProjectInspection() {}

  static Project run(
      ProcessRunner runner,
      Map<String, String> environment,
      Workspace workspace,
      Path script,
      String interpreter,
      TaskSpec.Python spec) {
    ProcessRunner.Result r =
        runner.run(
            Command.of(
                workspace.repo(),
                environment,
                QUICK,
                workspace.logs().resolve("prepare-env.log"),
                interpreter,
                script.toString(),
                workspace.repo().toString(),
                asked(spec)));
    if (!r.ok()) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "could not inspect the repository's Python project with '"
              + interpreter
              + "': "
              + PythonEnvironment.lastLines(r.output(), 5),
          Hints.interpreter(interpreter));
    }
    try {
      JsonNode n = Json.MAPPER.readTree(PythonEnvironment.lastLine(r.output()));
      return project(n, spec);
    } catch (IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "unexpected output from the project inspection: " + r.output(),
          Hints.bug(),
          e);
    }
  }

  /** The project as the inspection's JSON {@code n} says, with the spec's settings over it. */
  private static Project project(JsonNode n, TaskSpec.Python spec) {
    List<String> install = spec.install() != null ? spec.install() : strings(n.get("install"));
    List<String> source = spec.source() != null ? spec.source() : strings(n.get("source"));
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, String> tools = tools(n, spec, sources);
    return new Project(
        install,
        source,
        strings(n.get("tests")),
        n.path("has_tests").asBoolean(true),
        n.path("runner").asText("pytest"),
        n.path("runner_reason").asText(""),
        n.path("pytest_config").isTextual() ? n.get("pytest_config").asText() : null,
        tools,
        sources,
        n.path("ruff_configured").asBoolean(true),
        strings(n.get("dependency_files")),
        n.path("mypy_files").isArray() ? strings(n.get("mypy_files")) : null,
        n.path("lock_file").isTextual() ? n.get("lock_file").asText() : null,
        stringMap(n.get("locked")),
        n.path("install_inputs").asText(""),
        strings(n.get("install_notes")),
        stringMap(n.get("test_env")),
        n.path("test_env_source").isTextual() ? n.get("test_env_source").asText() : null,
        strings(n.get("type_dependencies")),
        n.path("type_checker").isTextual() ? n.get("type_checker").asText() : null,
        stringMap(n.get("coverage_plugins")),
        n.path("uses_xdist").asBoolean(false));
  }

  /**
   * The gate tools' versions: etask's defaults, then what the project pins or asks for, then what
   * the spec says; where each came from into {@code sources}.
   */
  private static Map<String, String> tools(
      JsonNode n, TaskSpec.Python spec, Map<String, String> sources) {
    Map<String, String> tools = new LinkedHashMap<>(SpecLoader.DEFAULT_TOOLS);
    tools.keySet().forEach(t -> sources.put(t, "etask's default"));
    n.path("tools")
        .fields()
        .forEachRemaining(
            e -> {
              if (tools.containsKey(e.getKey())) {
                tools.put(e.getKey(), e.getValue().path("constraint").asText());
                sources.put(e.getKey(), e.getValue().path("source").asText());
              }
            });
    spec.tools()
        .forEach(
            (k, v) -> {
              tools.put(k, v);
              sources.put(k, "python.tools");
            });
    return tools;
  }

  /** The spec's python.install as JSON ({@code null}: the detected install). */
  private static String asked(TaskSpec.Python spec) {
    try {
      return Json.MAPPER.writeValueAsString(spec.install());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new java.util.TreeMap<>();
    if (node != null && node.isObject()) {
      node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
