package dev.etask.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.gates.Coverage;
import dev.etask.core.gates.Finding;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.Gates;
import dev.etask.core.gates.TestChecks;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.gates.TestResults;
import dev.etask.core.generate.Generator;
import dev.etask.core.git.LocalOrigins;
import dev.etask.core.json.Json;
import dev.etask.core.pr.LocalProvider;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.workspace.Project;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * A task on a small repository with fakes for everything outside the JVM but git: the Python setup,
 * the gates (which read the tree: each {@code def test_} is a test, one holding {@code assert
 * False} fails, coverage grows with the tests), the new-test checks and the generator (a function
 * per attempt). Real JGit repositories, real state files, real local PR records; no Python, no
 * network.
 */
final class EngineKit {
  private static final Pattern TEST =
      Pattern.compile("(?m)^def (test_\\w+)\\(\\):\\n((?:    .*\\n?)*)");

  final Path dir;
  final Path origin;
  final Path work;
  final Path spec;
  final List<String> said = Collections.synchronizedList(new ArrayList<>());

  /** The generator: request → what it did (it writes into {@code request.repo()}). */
  Function<Generator.Request, Generator.Outcome> generator =
      r ->
          writes(
              r,
              "tests/test_" + stem(r) + ".py",
              "def test_"
                  + stem(r)
                  + "_one():\n    assert 1\n\n\ndef test_"
                  + stem(r)
                  + "_two():\n    assert 2\n");

  final List<Generator.Request> requests = new ArrayList<>();

  /**
   * A phase (as printed: PREPARE, GENERATE, VALIDATE, COMMIT, …) during which the run is
   * interrupted.
   */
  String interruptIn;

  /** Called with each phase's name (as printed) as it starts. */
  java.util.function.Consumer<String> onPhase = name -> {};

  /** What the machine says of bubblewrap; null: what it really says. */
  dev.etask.core.process.Sandbox.Probe sandboxProbe;

  Engine current;

  EngineKit(Path dir) throws Exception {
    this.dir = dir;
    Path seed = dir.resolve("seed");
    write(seed.resolve("src/app/a.py"), "def a():\n    return 1\n");
    write(seed.resolve("src/app/b.py"), "def b():\n    return 2\n");
    write(seed.resolve("src/app/c.py"), "def c():\n    return 3\n");
    write(
        seed.resolve("tests/test_a.py"),
        "def test_a():\n    assert 1\n\n\ndef test_a_again():\n    assert 1\n");
    write(seed.resolve("README.md"), "demo\n");
    origin = dir.resolve("origin.git");
    LocalOrigins.create(seed, origin, new PersonIdent("it", "it@example.com"));
    work = dir.resolve("work");
    spec = dir.resolve("task.yaml");
    spec("");
  }

  void spec(String extra) throws IOException {
    Files.writeString(
        spec,
        """
        id: t
        objective: "Add tests"
        repository: { url: "%s" }
        target: { include: ["src/app/b.py", "src/app/c.py"], writable: %s }
        generator: { command: "not run: the kit's generator stands in" }
        pr: { provider: local }
        """
                .formatted(origin, writable)
            + extra);
  }

  Engine open() {
    return open(false);
  }

  Engine open(boolean dryRun) {
    current =
        Engine.open(
            new Engine.Config(
                spec, work, null, dir, List.of(), null, dryRun, Map.of(), callerEnv, false,
                cacheDir),
            listener(),
            tools());
    return current;
  }

  /** The configuration the kit runs {@code spec} with (its work folder, origin and cache). */
  Engine.Config config(Path spec) {
    return new Engine.Config(
        spec, work, null, dir, List.of(), null, false, Map.of(), System.getenv(), false, cacheDir);
  }

  /**
   * A listener writing {@code [name] line} (warnings {@code [name] WARN line}) into {@code lines}.
   */
  Listener recording(String name, List<String> lines) {
    return new Listener() {
      @Override
      public void phase(String phase, String detail) {
        lines.add("[" + name + "] ── " + phase + " " + detail);
      }

      @Override
      public void info(String line) {
        lines.add("[" + name + "] " + line);
      }

      @Override
      public void warn(String line) {
        lines.add("[" + name + "] WARN " + line);
      }
    };
  }

  private Listener listener() {
    return new Listener() {
      @Override
      public void phase(String name, String detail) {
        said.add("── " + name + " " + detail);
        onPhase.accept(name);
        if (name.equals(interruptIn)) {
          interruptIn = null;
          current.interrupted();
        }
      }

      @Override
      public void info(String line) {
        said.add(line);
      }

      @Override
      public void warn(String line) {
        said.add("WARN " + line);
      }

      @Override
      public void debug(String line) {
        said.add("DEBUG " + line);
      }

      @Override
      public boolean debugging() {
        return debug;
      }
    };
  }

  /** Whether the run's listener asks for debug lines (Maven's -X). */
  boolean debug;

  Tools tools() {
    return new Tools() {
      @Override
      public dev.etask.core.process.Sandbox.Probe sandbox() {
        return sandboxProbe != null ? sandboxProbe : dev.etask.core.process.Sandbox.probe();
      }

      @Override
      public PythonSetup python(RunContext c) {
        return new PythonSetup() {
          @Override
          public Project detect() {
            return dev.etask.core.workspace.ProjectBuilder.project()
                .source("src")
                .tests("tests")
                .runnerReason("the kit says so")
                .build();
          }

          @Override
          public Map<String, String> ensure(Project project, boolean generated) {
            if (!current(project)) {
              builds.add(requirements(c) + "|" + generated);
            }
            return Map.of("pytest", "9.0", "coverage", "7.0", "ruff", "0.6", "mypy", "1.11");
          }

          @Override
          public boolean current(Project project) {
            return !builds.isEmpty()
                && builds.get(builds.size() - 1).startsWith(requirements(c) + "|");
          }

          @Override
          public void invalidate() {}
        };
      }

      @Override
      public Gates gates(RunContext c) {
        return new Gates() {
          @Override
          public GateReport measure(String label, List<String> source, Duration timeout) {
            measured.add(label);
            onMeasure.accept(label);
            writeData(c, label);
            return EngineKit.measure(c.ws().repo());
          }

          @Override
          public GateReport measureSuite(
              String label, List<String> source, GateReport unchanged, Duration timeout) {
            suiteRuns.add(label);
            GateReport all = measure(label, source, timeout);
            List<String> problems = new ArrayList<>(all.problems());
            if (suiteCannotRun) {
              problems.add("pytest did not finish within 1200s");
            }
            return new GateReport(
                all.tests(),
                all.coverage(),
                unchanged.lint(),
                unchanged.types(),
                problems,
                all.durationsMs());
          }

          @Override
          public GateReport measureNewTests(
              String label,
              List<String> source,
              List<String> newTests,
              GateReport before,
              Path beforeData,
              String beforeRoot,
              int runs,
              Duration timeout) {
            incrementalRuns.add(label);
            dataRoots.add(beforeRoot);
            writeData(c, label);
            // the new files' tests alone: what they break in other tests cannot be seen here
            GateReport alone = EngineKit.measure(c.ws().repo(), newTests);
            List<String> passed = new ArrayList<>(before.tests().passedIds());
            passed.addAll(alone.tests().passedIds());
            List<String> failing = new ArrayList<>(before.tests().failing());
            failing.addAll(alone.tests().failing());
            return new GateReport(
                new TestResults(
                    passed.size(),
                    failing.size(),
                    0,
                    0,
                    failing,
                    alone.tests().failureExcerpt(),
                    passed),
                new Coverage(
                    Math.min(100.0, 40 + 5.0 * (passed.size() + failing.size())), Map.of()),
                before.lint(),
                before.types(),
                List.of(),
                Map.of());
          }
        };
      }

      @Override
      public TestChecks testChecks(RunContext c) {
        return new TestChecks() {
          @Override
          public List<String> weakTests(String label, List<String> files) {
            return List.of();
          }

          @Override
          public TestQuality.Reruns rerun(
              String label, List<String> files, int reruns, TestResults first, Duration timeout) {
            return new TestQuality.Reruns(List.of(), List.of());
          }

          @Override
          public List<String> survivingMutation(
              String label, String target, List<String> testFiles, Duration timeout) {
            return List.of();
          }

          @Override
          public List<String> collectedBySuite(String label, List<String> files, Duration timeout) {
            return files.stream().filter(f -> !f.contains(notCollected)).toList();
          }
        };
      }

      @Override
      public Generator generator(RunContext c, Map<String, String> environment) {
        return r -> {
          requests.add(r);
          return generator.apply(r);
        };
      }

      @Override
      public PullRequestProvider pullRequests(RunContext c, String record) {
        return new LocalProvider(c.ws().artifacts(), c.state().git().origin(), record);
      }
    };
  }

  /**
   * The fake gates: tests are {@code def test_} functions under tests/, lint findings lines ending
   * in "# lint".
   */
  /** The labels measured incrementally, in order. */
  final List<String> incrementalRuns = Collections.synchronizedList(new ArrayList<>());

  /** What tasks share on the machine (the baseline cache); null: nothing. */
  Path cacheDir;

  final List<String> measured = Collections.synchronizedList(new ArrayList<>());

  /** New test files whose path holds this are never collected by the suite (its testpaths). */
  volatile String notCollected = "\0";

  /** The whole suite on the tip cannot run (a time limit, say). */
  volatile boolean suiteCannotRun;

  /**
   * The environment's builds, as {@code requirements.txt's content|generated}: the kit's venv is
   * current while requirements.txt is what it was built from.
   */
  final List<String> builds = Collections.synchronizedList(new ArrayList<>());

  /** The environment etask is started with. */
  Map<String, String> callerEnv = System.getenv();

  /** What target.writable says in the spec. */
  String writable = "[\"tests/**\"]";

  final List<String> suiteRuns = Collections.synchronizedList(new ArrayList<>());

  /** Called with each measurement's label as it starts (a test moves the base meanwhile). */
  java.util.function.Consumer<String> onMeasure = label -> {};

  /** The clone each incremental measurement's data before was recorded in. */
  final List<String> dataRoots = Collections.synchronizedList(new ArrayList<>());

  private static void writeData(RunContext c, String label) {
    try {
      Files.writeString(c.ws().reports().resolve(label + ".coverage"), "data of " + label);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GateReport measure(Path repo) {
    return measure(repo, null);
  }

  /**
   * The fake gates on the tree ({@code only}: just these test files). A test file with a line
   * {@code # breaks: test_x} makes test_x fail when the whole suite runs (shared state).
   */
  static GateReport measure(Path repo, List<String> only) {
    List<String> breaks = new ArrayList<>();
    List<String> passed = new ArrayList<>();
    List<String> failing = new ArrayList<>();
    List<Finding> lint = new ArrayList<>();
    try {
      for (Path f : pythonFiles(repo)) {
        String rel = repo.relativize(f).toString();
        String text = Files.readString(f);
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
          if (lines[i].endsWith("# lint")) {
            lint.add(new Finding(rel, i + 1, "F401", "unused"));
          }
        }
        if (only != null && !only.contains(rel)) {
          continue;
        }
        Matcher b = Pattern.compile("# breaks: (\\w+)").matcher(text);
        while (b.find()) {
          breaks.add(b.group(1));
        }
        if (rel.startsWith("tests/")) {
          Matcher m = TEST.matcher(text);
          while (m.find()) {
            String id = rel.replace('/', '.').replace(".py", "") + "::" + m.group(1);
            (m.group(2).contains("assert False") ? failing : passed).add(id);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String broken : breaks) {
      List<String> hit = passed.stream().filter(id -> id.endsWith("::" + broken)).toList();
      passed.removeAll(hit);
      failing.addAll(hit);
    }
    int tests = passed.size() + failing.size();
    TestResults results =
        new TestResults(
            passed.size(),
            failing.size(),
            0,
            0,
            failing,
            failing.isEmpty() ? "" : "AssertionError in " + failing,
            passed);
    Coverage coverage = new Coverage(Math.min(100.0, 40 + 5.0 * tests), Map.of());
    return new GateReport(results, coverage, lint, List.of(), List.of(), Map.of());
  }

  static Generator.Outcome writes(Generator.Request r, String path, String content) {
    write(r.repo().resolve(path), content);
    return ok();
  }

  private static String requirements(RunContext c) {
    try {
      Path file = c.ws().repo().resolve("requirements.txt");
      return Files.exists(file) ? Files.readString(file).strip() : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Generator.Outcome ok() {
    return new Generator.Outcome(true, false, 0, "", Duration.ofMillis(1));
  }

  static String stem(Generator.Request r) {
    String f = r.files().get(0);
    return f.substring(f.lastIndexOf('/') + 1).replace(".py", "");
  }

  static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode status() throws IOException {
    return Json.MAPPER.readTree(work.resolve("artifacts/t/status.json").toFile());
  }

  JsonNode state() throws IOException {
    return Json.MAPPER.readTree(work.resolve("t/state.json").toFile());
  }

  /**
   * The commits on the origin's task branch beyond main, newest first; empty when there is no
   * branch.
   */
  List<RevCommit> branch() throws Exception {
    try (Git git = Git.open(origin.toFile())) {
      Ref ref = git.getRepository().exactRef("refs/heads/auto/t");
      if (ref == null) {
        return List.of();
      }
      List<RevCommit> out = new ArrayList<>();
      git.log()
          .addRange(git.getRepository().resolve("main"), ref.getObjectId())
          .call()
          .forEach(out::add);
      return out;
    }
  }

  /** The origin's branch names. */
  List<String> originBranches() throws Exception {
    try (Git git = Git.open(origin.toFile())) {
      return git.getRepository().getRefDatabase().getRefsByPrefix("refs/heads/").stream()
          .map(r -> r.getName().substring("refs/heads/".length()))
          .toList();
    }
  }

  Map<String, Integer> batchTrailers() throws Exception {
    Map<String, Integer> count = new LinkedHashMap<>();
    for (RevCommit c : branch()) {
      c.getFooterLines("Etask-Batch").forEach(b -> count.merge(b, 1, Integer::sum));
    }
    return count;
  }

  /** The repository's .py files, sorted; .git is not entered (JGit may gc there meanwhile). */
  private static List<Path> pythonFiles(Path repo) throws IOException {
    List<Path> found = new ArrayList<>();
    Files.walkFileTree(
        repo,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult preVisitDirectory(
              Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
            return dir.getFileName() != null && dir.getFileName().toString().equals(".git")
                ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                : java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (file.toString().endsWith(".py")) {
              found.add(file);
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    found.sort(null);
    return found;
  }
}
