package dev.etask.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Many tasks past one machine, on the CI users already run (docs/ARCHITECTURE.md §9b, {@code
 * etask:matrix}): a GitHub Actions workflow with one job per task spec ({@code fail-fast: false},
 * {@code max-parallel}), each running {@code etask:run} for its spec in the sandbox and uploading
 * its artifacts, and a final job that downloads them all and writes the dashboard into the step
 * summary. Only download caches (Maven's repository, uv's and pip's) are kept between jobs: never
 * etask's own cache, which one job would write and the next trust.
 */
public final class ActionsWorkflow {
  /** The first line of every workflow etask writes: how a rewrite knows the file is its own. */
  public static final String HEADER = "# Written by etask:matrix";

  /** One job: its name (also its artifact's) and its spec, relative to the repository root. */
  public record Job(String task, String spec) {}

  private ActionsWorkflow() {}

  /** The jobs of {@code specs} (paths under {@code root}), with names unique and artifact-safe. */
  public static List<Job> jobs(Path root, List<Path> specs) {
    List<Job> out = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Path spec : specs) {
      String stem = spec.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      String name = stem.replaceAll("[^A-Za-z0-9._-]", "-");
      String unique = name;
      for (int i = 2; !taken.add(unique); i++) {
        unique = name + "-" + i;
      }
      String rel = root.toAbsolutePath().relativize(spec.toAbsolutePath()).toString();
      out.add(new Job(unique, rel.replace('\\', '/')));
    }
    return out;
  }

  /** The JSON for {@code strategy.matrix}: {@code {"include": [{"task": …, "spec": …}, …]}}. */
  public static String matrixJson(List<Job> jobs) {
    List<Map<String, String>> include = new ArrayList<>();
    for (Job j : jobs) {
      Map<String, String> entry = new LinkedHashMap<>();
      entry.put("task", j.task());
      entry.put("spec", j.spec());
      include.add(entry);
    }
    try {
      // one line, as a step's output (echo "matrix=$(cat matrix.json)" >> "$GITHUB_OUTPUT")
      return Json.MAPPER
              .writer()
              .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(Map.of("include", include))
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The workflow: {@code plugin} is the plugin's {@code groupId:artifactId:version}, {@code tasks}
   * what the specs were listed from (said in the header, to write it again).
   */
  public static String yaml(List<Job> jobs, int maxParallel, String plugin, String tasks) {
    StringBuilder include = new StringBuilder();
    for (Job j : jobs) {
      include
          .append("          - task: ")
          .append(quote(j.task()))
          .append("\n            spec: ")
          .append(quote(j.spec()))
          .append('\n');
    }
    return template()
        .replace("@TASKS@", tasks)
        .replace("@PLUGIN@", plugin)
        .replace("@MAX_PARALLEL@", String.valueOf(maxParallel))
        .replace("@INCLUDE@\n", include.toString());
  }

  private static String template() {
    try (InputStream in = ActionsWorkflow.class.getResourceAsStream("workflow.yml")) {
      if (in == null) {
        throw new IOException("no workflow.yml beside " + ActionsWorkflow.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("the workflow template is missing from etask's jar", e);
    }
  }

  private static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
