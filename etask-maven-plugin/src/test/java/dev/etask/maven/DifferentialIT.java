package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.etask.core.git.LocalOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The differential check: the same batches validated incrementally and in full (two tasks run at
 * once by {@code etask:launch}) must decide alike — every batch's decision, its labels (how it was
 * found, {@code full-suite-failed}, and {@code flaky} aside), the task's counts (tests equal,
 * coverage within 0.01 points), its commits and exit code; and the counts of a batch both accept
 * when nothing before it was taken off. Over fixtures and real projects from their PyPI sdists
 * (pinned by sha256): pytest and unittest, src and flat layouts, parallel coverage, doctests, and
 * the hostile batches only the whole suite sees (a test that deselects the others, a basename
 * clash, a test that breaks others through shared state). Each repository's agreement goes into
 * {@code target/differential.md}.
 */
class DifferentialIT extends MavenProcesses {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HOW_FOUND = Set.of("full-suite-failed", "flaky");

  /**
   * A repository: a fixture folder ({@code from}: relative to src/it, or to tasks/), or a PyPI
   * sdist ({@code from}: name==version, with its sha256); its target files and their behaviours.
   */
  record Repo(String name, String from, String sha256, Map<String, String> behaviours) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Repo> repos() {
    return List.of(
        new Repo(
            "pycalc",
            "fixtures/pycalc",
            null,
            ordered(
                "src/pycalc/ops.py", "smoke",
                "src/pycalc/stats.py", "deselect-others",
                "src/pycalc/__init__.py", "weak")),
        new Repo(
            "textkit",
            "fixtures/textkit",
            null,
            ordered(
                "textkit/__init__.py", "unittest-deselect",
                "textkit/words.py", "unittest-smoke")),
        new Repo(
            "click",
            "click==8.1.8",
            "ed53c9d8990d83c2a27deae68e4ee337473f6330c040a31d4225c9574d16096a",
            ordered(
                "src/click/globals.py", "smoke",
                "src/click/parser.py", "shared-state",
                "src/click/termui.py", "basename-clash",
                "src/click/utils.py", "touch-source")),
        new Repo(
            "more-itertools",
            "more-itertools==10.5.0",
            "5482bfef7849c25dc3c6dd53a6173ae4795da2a41a80faea6700d9f5846c5da6",
            ordered(
                "more_itertools/__init__.py", "unittest-deselect",
                "more_itertools/recipes.py", "unittest-smoke",
                "more_itertools/more.py", "unittest-failing")),
        new Repo(
            "itsdangerous",
            "itsdangerous==2.2.0",
            "e0050c0b7da1eea53ffaf149c0cfbb5c6e2e2b69c4bef22c81fa6eb73e5f6173",
            ordered(
                "src/itsdangerous/encoding.py", "smoke",
                "src/itsdangerous/signer.py", "deselect-others",
                "src/itsdangerous/timed.py", "failing-test")),
        new Repo(
            "six",
            "six==1.17.0",
            "ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81",
            ordered("six.py", "smoke")));
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("repos")
  void incrementalAndFullValidationDecideAlike(Repo repo) throws Exception {
    Path origin = dir.resolve(repo.name() + ".git");
    LocalOrigins.create(source(repo), origin, new PersonIdent("it", "it@example.com"));
    StringBuilder table = new StringBuilder();
    repo.behaviours().forEach((f, b) -> table.append(f).append(": ").append(b).append('\n'));
    behaviours(table.toString());
    Path tasks = Files.createDirectories(dir.resolve("tasks"));
    for (String mode : List.of("incremental", "full")) {
      Files.copy(dir.resolve("behave.py"), tasks.resolve("behave.py"), REPLACE);
      Files.copy(dir.resolve("behaviours.txt"), tasks.resolve("behaviours.txt"), REPLACE);
      Files.writeString(
          tasks.resolve(mode + ".yaml"),
          """
          id: %s-%s
          objective: "Add tests"
          repository: { url: "%s" }
          target: { include: [%s], writable: ["tests/**"] }
          generator: { command: "python {spec_dir}/behave.py {file}" }
          quality_gates: { validation: %s }
          pr: { provider: local }
          """
              .formatted(
                  repo.name(),
                  mode,
                  origin,
                  String.join(
                      ", ", repo.behaviours().keySet().stream().map(f -> "\"" + f + "\"").toList()),
                  mode));
    }
    Path log = dir.resolve("launch.log");
    long t0 = System.nanoTime();
    int exit =
        toTheEnd(
            mavenIn(
                dir,
                "launch",
                log,
                Map.of("XDG_CACHE_HOME", sharedCache().toString()),
                "-Detask.tasks=tasks",
                "-Detask.parallel=2"),
            log);
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    JsonNode inc = status(repo.name() + "-incremental");
    JsonNode full = status(repo.name() + "-full");
    List<String> differences = differences(inc, full);
    int batches = full.get("batches").size();
    record(repo, batches, differences, inc, full, seconds);
    assertThat(inc.get("exit_code").asInt()).as(read(log)).isIn(0, 2);
    assertThat(exit).as("launch: " + read(log)).isIn(0, 1);
    assertThat(differences).as(repo.name() + "\n" + read(log)).isEmpty();
    // the check can fail: at least one batch was validated incrementally
    assertThat(inc.findValuesAsText("validation")).contains("incremental");
  }

  /** What tells the two runs apart. */
  static List<String> differences(JsonNode inc, JsonNode full) {
    List<String> out = new ArrayList<>();
    JsonNode a = inc.get("batches");
    JsonNode b = full.get("batches");
    if (a.size() != b.size()) {
      out.add("batches: " + a.size() + " vs " + b.size());
      return out;
    }
    boolean takenOff = false;
    for (int i = 0; i < a.size(); i++) {
      JsonNode x = a.get(i);
      JsonNode y = b.get(i);
      String name = "batch " + (i + 1) + " (" + x.at("/files/0").asText() + ")";
      if (!x.get("decision").asText().equals(y.get("decision").asText())) {
        out.add(
            name
                + ": "
                + x.get("decision").asText()
                + " ("
                + x.get("reason").asText()
                + ") vs "
                + y.get("decision").asText()
                + " ("
                + y.get("reason").asText()
                + ")");
      }
      Set<String> la = labels(x);
      Set<String> lb = labels(y);
      if (!la.equals(lb)) {
        out.add(name + " labels: " + la + " vs " + lb);
      }
      boolean bothAccept =
          "accept".equals(x.get("decision").asText())
              && "accept".equals(y.get("decision").asText());
      if (bothAccept && !takenOff) {
        compare(
            out,
            name,
            "tests_passed",
            x.at("/metrics/tests_passed"),
            y.at("/metrics/tests_passed"),
            0);
        compare(
            out,
            name,
            "coverage_after",
            x.at("/metrics/coverage_after"),
            y.at("/metrics/coverage_after"),
            0.01);
      }
      takenOff |= x.get("labels").toString().contains("\"full-suite-failed\"");
    }
    for (String k : List.of("tests_passed", "tests_failed", "commits", "exit_code")) {
      compare(out, "task", k, inc.get(k), full.get(k), 0);
    }
    compare(
        out, "task", "coverage_after", inc.get("coverage_after"), full.get("coverage_after"), 0.01);
    return out;
  }

  private static void compare(
      List<String> out, String what, String key, JsonNode a, JsonNode b, double tolerance) {
    if (a == null
        || b == null
        || a.isNull()
        || b.isNull()
        || a.isMissingNode()
        || b.isMissingNode()) {
      if (!(a == null || a.isNull() || a.isMissingNode())
          || !(b == null || b.isNull() || b.isMissingNode())) {
        out.add(what + " " + key + ": " + a + " vs " + b);
      }
      return;
    }
    if (Math.abs(a.asDouble() - b.asDouble()) > tolerance + 1e-9) {
      out.add(what + " " + key + ": " + a.asText() + " vs " + b.asText());
    }
  }

  private static Set<String> labels(JsonNode batch) {
    Set<String> out = new TreeSet<>();
    batch.get("labels").forEach(l -> out.add(l.asText()));
    out.removeAll(HOW_FOUND);
    return out;
  }

  private JsonNode status(String id) throws IOException {
    return JSON.readTree(dir.resolve("target/etask/artifacts/" + id + "/status.json").toFile());
  }

  /** The caches the ITs share (uv, pip, baselines): the environments build from them. */
  private static Path sharedCache() {
    return Path.of(System.getProperty("etask.it.localRepo")).resolveSibling("it-home/.cache");
  }

  /** The repository's files: the fixture folder, or the sdist unpacked (downloaded once). */
  private Path source(Repo repo) throws Exception {
    if (repo.sha256() == null) {
      Path it = Path.of(System.getProperty("etask.it.itSources"));
      return it.resolve(repo.from());
    }
    Path downloads =
        Files.createDirectories(
            Path.of(System.getProperty("etask.it.localRepo")).resolveSibling("sdists"));
    String[] nv = repo.from().split("==");
    Path archive = downloads.resolve(nv[0] + "-" + nv[1] + ".tar.gz");
    if (!Files.exists(archive)) {
      run(
          downloads,
          "python3",
          "-m",
          "pip",
          "download",
          "-q",
          "--no-binary",
          ":all:",
          "--no-deps",
          repo.from(),
          "-d",
          downloads.toString());
    }
    String sum =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(archive)));
    assertThat(sum).as("sha256 of " + archive).isEqualTo(repo.sha256());
    Path unpacked = Files.createDirectories(dir.resolve("sdist"));
    run(unpacked, "tar", "xzf", archive.toString());
    Path root = unpacked.resolve(nv[0] + "-" + nv[1]);
    Files.writeString(
        root.resolve(".gitignore"),
        "__pycache__/\n*.egg-info/\n.venv/\n.coverage*\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return root;
  }

  private static void run(Path where, String... argv) throws Exception {
    Process p =
        new ProcessBuilder(argv).directory(where.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(String.join(" ", argv) + ": " + out).isZero();
  }

  private static final java.nio.file.CopyOption REPLACE =
      java.nio.file.StandardCopyOption.REPLACE_EXISTING;

  /** One line of target/differential.md: the repository, its batches, whether both agreed. */
  private static synchronized void record(
      Repo repo, int batches, List<String> differences, JsonNode inc, JsonNode full, long seconds)
      throws IOException {
    Path file = Path.of(System.getProperty("etask.it.localRepo")).resolveSibling("differential.md");
    if (!Files.exists(file)) {
      Files.writeString(
          file,
          "| repository | batches | decisions agree | incremental batches | tests | coverage | s |\n"
              + "|---|---|---|---|---|---|---|\n");
    }
    long incremental =
        inc.findValuesAsText("validation").stream().filter("incremental"::equals).count();
    Files.writeString(
        file,
        "| %s | %d | %s | %d | %s / %s | %s / %s | %d |\n"
            .formatted(
                repo.name(),
                batches,
                differences.isEmpty() ? "yes" : "NO: " + String.join("; ", differences),
                incremental,
                inc.get("tests_passed").asText(),
                full.get("tests_passed").asText(),
                inc.get("coverage_after").asText(),
                full.get("coverage_after").asText(),
                seconds),
        StandardOpenOption.APPEND);
  }
}
