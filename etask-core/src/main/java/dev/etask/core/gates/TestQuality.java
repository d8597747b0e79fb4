package dev.etask.core.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.etask.core.json.Json;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Checks that a batch's new tests really test (seed §11, "fragile assertion detection"): tests with
 * no assertion or only tautological ones are weak; tests whose outcome changes when run again are
 * flaky.
 */
public final class TestQuality implements TestChecks {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Workspace workspace;
  private final PythonEnvironment python;
  private final ProcessRunner runner;
  private final TestCommand tests;

  public TestQuality(
      Workspace workspace, PythonEnvironment python, ProcessRunner runner, GateSetup setup) {
    this.workspace = workspace;
    this.python = python;
    this.runner = runner;
    this.tests = new TestCommand(setup == null ? GateSetup.defaults() : setup, workspace, python);
  }

  /** The check could not run: its result would say nothing, which is not "no weak tests". */
  public static final class CheckFailed extends RuntimeException {
    public CheckFailed(String message) {
      super(message);
    }
  }

  /**
   * {@code path::test: reason} for every weak test in {@code files}; throws {@link CheckFailed}
   * when it cannot tell.
   */
  @Override
  public List<String> weakTests(String label, List<String> files) {
    if (files.isEmpty()) {
      return List.of();
    }
    List<String> argv = python.helper(label, "test_quality.py", files.toArray(String[]::new));
    Path log = workspace.logs().resolve("test-quality.log");
    ProcessRunner.Result r = runner.run(python.gate(label, argv, Duration.ofMinutes(2), log));
    if (!r.ok()) {
      throw new CheckFailed(
          "the assertion check could not run (exit "
              + r.exitCode()
              + "): "
              + PythonEnvironment.lastLines(r.output(), 3)
              + " (log: "
              + log
              + ")");
    }
    try {
      String[] lines = r.output().strip().split("\n");
      JsonNode n = JSON.readTree(lines[lines.length - 1]);
      List<String> out = new ArrayList<>();
      n.path("weak").forEach(x -> out.add(x.asText()));
      return out;
    } catch (IOException e) {
      throw new CheckFailed(
          "the assertion check printed no result: " + PythonEnvironment.lastLines(r.output(), 3));
    }
  }

  /**
   * What running the new tests again showed: {@code flaky} ids changed outcome from the first run
   * or between runs; {@code uncollected} ids ran when named but not in the full suite, so the
   * repository's test configuration (testpaths, python_files) never collects them.
   */
  public record Reruns(List<String> flaky, List<String> uncollected) {}

  /** Runs the tests in {@code files} {@code reruns} more times and compares with {@code first}. */
  @Override
  public Reruns rerun(
      String label, List<String> files, int reruns, TestResults first, Duration timeout) {
    if (files.isEmpty() || reruns <= 0) {
      return new Reruns(List.of(), List.of());
    }
    Map<String, Boolean> firstOutcome = new HashMap<>();
    TreeSet<String> flaky = new TreeSet<>();
    List<Map<String, Boolean>> runs = alreadyRun(label, reruns);
    if (runs == null) {
      runs = rerunsInOneSession(label, files, reruns, timeout);
    }
    if (runs == null) {
      runs = new ArrayList<>();
      for (int i = 1; i <= reruns; i++) {
        runs.add(
            runTests(
                label,
                workspace.output(label).resolve(label + "-rerun-" + i + ".xml"),
                files,
                label + "-rerun.log",
                timeout));
      }
    }
    for (Map<String, Boolean> run : runs) {
      for (Map.Entry<String, Boolean> e : run.entrySet()) {
        Boolean before = firstOutcome.putIfAbsent(e.getKey(), e.getValue());
        if (before != null && !before.equals(e.getValue())) {
          flaky.add(e.getKey());
        }
      }
    }
    for (Map.Entry<String, Boolean> e : firstOutcome.entrySet()) {
      boolean ranFirst =
          first.failing().contains(e.getKey()) || first.passedIds().contains(e.getKey());
      boolean failedFirst = first.failing().contains(e.getKey());
      if (ranFirst && failedFirst == e.getValue()) { // value true means passed
        flaky.add(e.getKey());
      }
    }
    List<String> uncollected =
        firstOutcome.keySet().stream()
            .filter(id -> !first.failing().contains(id) && !first.passedIds().contains(id))
            .sorted()
            .toList();
    return new Reruns(List.copyOf(flaky), uncollected);
  }

  /**
   * The reruns the measurement itself made: an incremental measurement runs the new tests {@code 1
   * + reruns} times in its session ({@code <label>-junit.xml}); null when it did not.
   */
  private List<Map<String, Boolean>> alreadyRun(String label, int reruns) {
    Path junit = workspace.output(label).resolve(label + "-junit.xml");
    if (!Files.exists(junit)) {
      return null;
    }
    try {
      return runsOf(Reports.junitRuns(junit), 1, reruns);
    } catch (ReportFormatException e) {
      return null;
    }
  }

  /**
   * Runs {@code from} .. {@code from + count - 1} of every test, or null unless every test ran
   * exactly {@code from + count} times.
   */
  private static List<Map<String, Boolean>> runsOf(
      Map<String, List<Boolean>> outcomes, int from, int count) {
    if (outcomes.isEmpty() || outcomes.values().stream().anyMatch(o -> o.size() != from + count)) {
      return null;
    }
    List<Map<String, Boolean>> runs = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      Map<String, Boolean> run = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, List<Boolean>> e : outcomes.entrySet()) {
        run.put(e.getKey(), e.getValue().get(i));
      }
      runs.add(run);
    }
    return runs;
  }

  /**
   * pytest runs {@code files} {@code reruns} times in one session ({@code --keep-duplicates}: one
   * start, one import of the project, instead of one per run); the outcomes of each run, in order.
   * Null when the runner is not pytest or the session did not run every test {@code reruns} times
   * (then each run gets a process of its own).
   */
  private List<Map<String, Boolean>> rerunsInOneSession(
      String label, List<String> files, int reruns, Duration timeout) {
    if (!tests.pytest() || reruns < 2) {
      return null;
    }
    Path junit = workspace.output(label).resolve(label + "-reruns.xml");
    List<String> repeated = new ArrayList<>(List.of("--keep-duplicates"));
    for (int i = 0; i < reruns; i++) {
      repeated.addAll(files);
    }
    if (!runNamed(label, junit, repeated, label + "-rerun.log", timeout)) {
      return null;
    }
    try {
      return runsOf(Reports.junitRuns(junit), 0, reruns);
    } catch (ReportFormatException e) {
      return null;
    }
  }

  /**
   * Runs pytest on {@code files} alone: test id → passed; empty when it timed out or left no
   * readable report.
   */
  private Map<String, Boolean> runTests(
      String label, Path junit, List<String> files, String log, Duration timeout) {
    if (!runNamed(label, junit, files, log, timeout)) {
      return Map.of();
    }
    try {
      return Reports.junitCases(junit);
    } catch (ReportFormatException e) {
      return Map.of(); // an unreadable run says nothing
    }
  }

  /** Runs the tests in {@code files} into {@code junit}; true when it finished and wrote it. */
  private boolean runNamed(
      String label, Path junit, List<String> files, String log, Duration timeout) {
    try {
      Files.deleteIfExists(junit);
    } catch (IOException e) {
      return false;
    }
    List<String> argv = new ArrayList<>(List.of(python.python().toString()));
    argv.addAll(tests.named(junit, files));
    ProcessRunner.Result r =
        runner.run(python.gate(label, argv, timeout, workspace.logs().resolve(log)));
    return !r.timedOut() && Files.exists(junit);
  }

  @Override
  public List<String> collectedBySuite(String label, List<String> files, Duration timeout) {
    List<String> suite =
        tests.suite(workspace.output(label).resolve(label + "-collect.xml"), false);
    if (files.isEmpty() || !tests.pytest()) {
      return files; // unittest: its discovery pattern is checked by the whole-suite run
    }
    Path out = workspace.output(label).resolve(label + "-collected.json");
    List<String> args = new ArrayList<>(List.of(out.toString()));
    args.addAll(files);
    args.add("--");
    args.addAll(TestCommand.pytestArgs(suite));
    Path log = workspace.logs().resolve(label + "-collect.log");
    try {
      Files.deleteIfExists(out);
      ProcessRunner.Result r =
          runner.run(
              python.gate(
                  label,
                  python.helper(label, "suite_collects.py", args.toArray(String[]::new)),
                  timeout,
                  log));
      if (r.timedOut() || !Files.exists(out)) {
        throw new CheckFailed(
            "which new test files the suite collects could not be seen: "
                + PythonEnvironment.lastLines(r.output(), 3)
                + " (log: "
                + log
                + ")");
      }
      List<String> collected = new ArrayList<>();
      JSON.readTree(out.toFile()).path("collected").forEach(n -> collected.add(n.asText()));
      return collected;
    } catch (java.io.IOException e) {
      throw new CheckFailed("cannot read " + out + ": " + e.getMessage());
    }
  }

  /**
   * Mutation smoke check: replaces every returned value of {@code target} by None, runs the new
   * tests, and puts the file back. Returns the new tests' ids when all of them still pass (they do
   * not check what the module returns), else an empty list.
   */
  @Override
  public List<String> survivingMutation(
      String label, String target, List<String> testFiles, Duration timeout) {
    Path file = workspace.repo().resolve(target);
    byte[] original;
    try {
      original = Files.readAllBytes(file);
      // kept beside the clone while the file is mutated: a run killed meanwhile puts it back when
      // it opens again
      Path kept = mutationBackup(workspace).resolve(target);
      Files.createDirectories(kept.getParent());
      dev.etask.core.workspace.AtomicFiles.write(kept, original);
    } catch (IOException e) {
      return List.of();
    }
    try {
      ProcessRunner.Result m =
          runner.run(
              python.gate(
                  label,
                  List.of(
                      python.python().toString(),
                      python.script("mutate_returns.py").toString(),
                      target),
                  Duration.ofMinutes(1),
                  workspace.logs().resolve(label + "-mutation.log")));
      if (!m.ok() || m.output().contains("\"mutated\": 0")) {
        return List.of();
      }
      Map<String, Boolean> cases =
          runTests(
              label,
              workspace.output(label).resolve(label + "-mutant.xml"),
              testFiles,
              label + "-mutation.log",
              timeout);
      boolean allPass = !cases.isEmpty() && cases.values().stream().allMatch(Boolean::booleanValue);
      return allPass ? List.copyOf(new TreeSet<>(cases.keySet())) : List.of();
    } finally {
      try {
        Files.write(file, original);
        dev.etask.core.workspace.FileTrees.delete(mutationBackup(workspace));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(
            "cannot restore " + file + " after the mutation check", e);
      }
    }
  }

  private static Path mutationBackup(Workspace workspace) {
    return workspace.root().resolve("mutating");
  }

  /**
   * Puts back the target files a mutation check was changing when its run was killed; returns their
   * paths. Called when a task opens, before anything is measured.
   */
  public static List<String> restoreInterruptedMutation(Workspace workspace) {
    Path backup = mutationBackup(workspace);
    if (!Files.isDirectory(backup)) {
      return List.of();
    }
    List<String> restored = new ArrayList<>();
    try (var files = Files.walk(backup)) {
      for (Path kept : files.filter(Files::isRegularFile).toList()) {
        String rel = backup.relativize(kept).toString();
        Files.write(workspace.repo().resolve(rel), Files.readAllBytes(kept));
        restored.add(rel);
      }
      dev.etask.core.workspace.FileTrees.delete(backup);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot put back " + backup + " after an interrupted mutation check", e);
    }
    return restored;
  }
}
