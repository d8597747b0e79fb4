package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code etask:matrix}: the workflow it writes validates against GitHub's workflow schema, lists
 * every spec, and does what it says without GitHub: each matrix job's own command lines run here on
 * two specs (each in a copy of the checkout), their uploaded artifacts go where {@code
 * download-artifact} puts them, and the dashboard job's command lines sum them up.
 */
class MatrixIT extends MavenProcesses {
  private static final Path VALIDATOR = Path.of("target/check-jsonschema").toAbsolutePath();

  @Test
  void theWorkflowValidatesAndItsJobsRunHereOnTwoSpecs() throws Exception {
    Files.createDirectories(dir.resolve("tasks"));
    spec("one", "src/service/payment.py");
    spec("two", "src/service/user.py");
    Path log = dir.resolve("matrix.log");
    assertThat(toTheEnd(mavenIn(dir, "matrix", log, Map.of(), "-Detask.parallel=2"), log))
        .as(read(log))
        .isZero();
    Path workflow = dir.resolve(".github/workflows/etask.yml");
    assertThat(validate(workflow)).as("GitHub's workflow schema").isEqualTo("ok");
    // the validator sees: the same workflow without its jobs' runner fails
    Path broken = dir.resolve("broken.yml");
    Files.writeString(broken, Files.readString(workflow).replace("runs-on: ubuntu-latest", ""));
    assertThat(validate(broken)).isNotEqualTo("ok");

    Map<String, Object> wf = yaml(workflow);
    Map<String, Object> task = map(map(wf.get("jobs")).get("task"));
    Map<String, Object> strategy = map(task.get("strategy"));
    assertThat(strategy).containsEntry("fail-fast", false).containsEntry("max-parallel", 2);
    List<Map<String, Object>> include = list(map(strategy.get("matrix")).get("include"));
    assertThat(include)
        .containsExactly(
            Map.of("task", "one", "spec", "tasks/one.yaml"),
            Map.of("task", "two", "spec", "tasks/two.yaml"));
    assertThat(Files.readString(workflow)).doesNotContain(".cache/etask\n");

    Path downloaded = dir.resolve("downloaded");
    for (Map<String, Object> entry : include) {
      String name = (String) entry.get("task");
      Path checkout = dir.resolve("jobs/" + name);
      copy(dir.resolve("tasks"), checkout.resolve("tasks"));
      Map<String, String> vars =
          Map.of("matrix.task", name, "matrix.spec", (String) entry.get("spec"));
      int exit = runStep(step(task, "etask-run"), vars, checkout, Map.of());
      assertThat(exit).as(read(checkout.resolve("step.log"))).isZero();
      // upload-artifact: the folder's files under the artifact's name, as download-artifact puts
      // them
      Map<String, Object> upload = map(stepUsing(task, "actions/upload-artifact").get("with"));
      copy(
          checkout.resolve(String.valueOf(upload.get("path"))),
          downloaded.resolve(substitute((String) upload.get("name"), vars)));
    }

    Map<String, Object> dashboard = map(map(wf.get("jobs")).get("dashboard"));
    assertThat(dashboard.get("needs")).isEqualTo("task");
    assertThat(dashboard.get("if")).isEqualTo("always()");
    Path dashJob = dir.resolve("jobs/dashboard");
    Map<String, Object> download =
        map(stepUsing(dashboard, "actions/download-artifact").get("with"));
    assertThat(download.get("pattern")).isEqualTo("etask-*");
    copy(downloaded, dashJob.resolve(String.valueOf(download.get("path"))));
    assertThat(runStep(step(dashboard, "etask-dashboard"), Map.of(), dashJob, Map.of()))
        .as(read(dashJob.resolve("step.log")))
        .isZero();
    Path summary = dashJob.resolve("summary.md");
    Map<String, Object> summaryStep =
        list(dashboard.get("steps")).stream()
            .filter(s -> "Step summary".equals(s.get("name")))
            .findFirst()
            .orElseThrow();
    runStep(summaryStep, Map.of(), dashJob, Map.of("GITHUB_STEP_SUMMARY", summary.toString()));
    String page = read(summary);
    assertThat(page).contains("2 task(s) from `").contains("| `one` | ok | 0 | 1 |");
    assertThat(page).contains("| `two` | ");
    JsonNode d = Json.MAPPER.readTree(dashJob.resolve("etask-artifacts/dashboard.json").toFile());
    assertThat(d.path("totals").path("tasks").asInt()).isEqualTo(2);
    assertThat(d.path("unreadable").size()).isZero();
    for (JsonNode t : d.path("tasks")) {
      assertThat(t.path("path").asText()).contains("/etask-" + t.path("id").asText() + "/");
    }
  }

  @Test
  void theMatrixAsJsonAndAWorkflowEtaskDidNotWriteIsNeverOverwritten() throws Exception {
    Files.createDirectories(dir.resolve("tasks"));
    spec("one", "src/service/payment.py");
    Path log = dir.resolve("json.log");
    assertThat(toTheEnd(mavenIn(dir, "matrix", log, Map.of(), "-Detask.format=json"), log))
        .isZero();
    JsonNode m = Json.MAPPER.readTree(dir.resolve("target/etask/matrix.json").toFile());
    assertThat(m.toString())
        .isEqualTo("{\"include\":[{\"task\":\"one\",\"spec\":\"tasks/one.yaml\"}]}");

    Path mine = dir.resolve(".github/workflows/etask.yml");
    Files.createDirectories(mine.getParent());
    Files.writeString(mine, "name: my own\n");
    Path refused = dir.resolve("refused.log");
    assertThat(toTheEnd(mavenIn(dir, "matrix", refused, Map.of()), refused)).isNotZero();
    assertThat(read(refused))
        .contains("exists and etask did not write it")
        .contains("-Detask.output=");
    assertThat(Files.readString(mine)).isEqualTo("name: my own\n");
  }

  private void spec(String id, String include) throws IOException {
    Files.writeString(
        dir.resolve("tasks/" + id + ".yaml"),
        "id: "
            + id
            + "\nobjective: \"Characterize "
            + include
            + "\"\nrepository: { url: "
            + dir.resolve("origin.git")
            + " }\ntarget: { include: [\""
            + include
            + "\"], writable: [\"tests/**\"] }\n"
            + "generator: { command: \"python {spec_dir}/characterize.py {file}\" }\n"
            + "pr: { provider: local }\n");
    // the generator beside the specs: the job's checkout has it, the sandbox mounts {spec_dir}
    Path generator = dir.resolve("tasks/characterize.py");
    if (!Files.exists(generator)) {
      Files.copy(dir.resolve("characterize.py"), generator);
    }
  }

  /**
   * check-jsonschema from PyPI, in a virtualenv of this module's target folder: "ok" or why not.
   */
  private static String validate(Path workflow) throws Exception {
    return checkJsonschema("--builtin-schema", "vendor.github-workflows", workflow.toString());
  }

  /** check-jsonschema {@code args}: "ok", or its exit and output. */
  static String checkJsonschema(String... args) throws Exception {
    Path bin = VALIDATOR.resolve("bin/check-jsonschema");
    if (!Files.isExecutable(bin)) {
      exec(List.of("python3", "-m", "venv", VALIDATOR.toString()), null);
      exec(
          List.of(VALIDATOR.resolve("bin/pip").toString(), "install", "-q", "check-jsonschema"),
          null);
    }
    List<String> cmd = new java.util.ArrayList<>(List.of(bin.toString()));
    cmd.addAll(List.of(args));
    String out = exec(cmd, null);
    return out.startsWith("exit 0") ? "ok" : out;
  }

  private static String exec(List<String> cmd, Path where) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (where != null) {
      pb.directory(where.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    return "exit " + p.exitValue() + "\n" + out;
  }

  /**
   * Runs a step's {@code run} with its {@code env}, {@code ${{ … }}} filled from {@code vars} (a
   * secret is empty here), {@code mvn} being the wrapper with this build's plugin repository.
   */
  private int runStep(
      Map<String, Object> step, Map<String, String> vars, Path where, Map<String, String> extra)
      throws Exception {
    Files.createDirectories(where);
    String mvn =
        "mvn() { \""
            + System.getProperty("etask.it.mvnw")
            + "\" -Dmaven.repo.local=\""
            + System.getProperty("etask.it.localRepo")
            + "\" \"$@\"; }\n";
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash", "-euo", "pipefail", "-c", mvn + substitute((String) step.get("run"), vars))
            .directory(where.toFile())
            .redirectErrorStream(true)
            .redirectOutput(where.resolve("step.log").toFile());
    Map<String, String> env = pb.environment();
    if (step.get("env") != null) {
      map(step.get("env")).forEach((k, v) -> env.put(k, substitute(String.valueOf(v), vars)));
    }
    Path temp = Files.createDirectories(where.resolve("runner-temp"));
    env.put("RUNNER_TEMP", temp.toString());
    env.put("MAVEN_OPTS", "-Duser.home=" + dir.resolve("home"));
    env.put("XDG_CACHE_HOME", dir.resolve("home/.cache").toString());
    env.putAll(extra);
    Process p = pb.start();
    return toTheEnd(p, where.resolve("step.log"));
  }

  private static String substitute(String text, Map<String, String> vars) {
    var m = java.util.regex.Pattern.compile("\\$\\{\\{\\s*([\\w.]+)\\s*}}").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String key = m.group(1);
      String value = key.startsWith("secrets.") ? "" : vars.get(key);
      assertThat(value).as("the workflow uses ${{ " + key + " }}").isNotNull();
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  private static Map<String, Object> step(Map<String, Object> job, String id) {
    return list(job.get("steps")).stream()
        .filter(s -> id.equals(s.get("id")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + id));
  }

  private static Map<String, Object> stepUsing(Map<String, Object> job, String action) {
    return list(job.get("steps")).stream()
        .filter(s -> String.valueOf(s.get("uses")).startsWith(action + "@"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step uses " + action));
  }

  private static Map<String, Object> yaml(Path file) throws IOException {
    return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }

  private static void copy(Path from, Path to) throws IOException {
    for (Path f : filesUnder(from)) {
      Path target = to.resolve(from.relativize(f).toString());
      Files.createDirectories(target.getParent());
      Files.copy(f, target);
    }
  }
}
