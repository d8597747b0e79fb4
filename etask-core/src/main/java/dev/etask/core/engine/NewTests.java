package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.TestChecks;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks of a batch's new tests (VALIDATE): do they really test (weak, never collected by the
 * repository's run, flaky), and are they tests the project's own runner collects at all.
 */
final class NewTests {
  private NewTests() {}

  /**
   * Do the batch's new tests really test? Weak tests (no real assertion; with the mutation check,
   * tests that still pass when the target returns None), tests the suite never collects, and flaky
   * tests (run again). Puts the counts into {@code metrics}, a check that could not run into {@code
   * problems}, and returns the findings, one line each.
   */
  static List<String> check(
      RunContext c,
      BatchState batch,
      String name,
      List<String> testFiles,
      GateReport after,
      java.util.concurrent.CompletableFuture<List<String>> collecting,
      Map<Metric, Double> metrics,
      List<String> problems,
      Duration timeout) {
    TaskSpec.QualityGates g = c.spec().qualityGates();
    TestChecks q = c.testChecks();
    List<String> weak = new ArrayList<>();
    if (g.checkAssertions()) {
      try {
        weak.addAll(q.weakTests(name, testFiles));
      } catch (TestQuality.CheckFailed e) {
        problems.add("test quality: " + e.getMessage());
      }
    }
    // at least one run, to see which new tests the suite collects
    TestQuality.Reruns reruns =
        q.rerun(name, testFiles, Math.max(1, g.flakyReruns()), after.tests(), timeout);
    List<String> flaky = g.flakyReruns() == 0 ? List.of() : reruns.flaky();
    List<String> uncollected =
        g.checkAssertions() ? new ArrayList<>(reruns.uncollected()) : new ArrayList<>();
    notCollected(testFiles, after, collecting, uncollected, problems);
    if (g.mutationCheck()) {
      weak.addAll(survivingMutation(c, batch, name, testFiles, timeout));
    }
    metrics.put(Metric.WEAK_TESTS, (double) weak.size());
    metrics.put(Metric.UNCOLLECTED_TESTS, (double) uncollected.size());
    metrics.put(Metric.FLAKY_TESTS, (double) flaky.size());
    List<String> findings = new ArrayList<>();
    weak.forEach(w -> findings.add("weak  " + w));
    uncollected.forEach(
        u ->
            findings.add(
                "weak  "
                    + c.testId(u)
                    + ": never collected by the repository's test run (check"
                    + " testpaths / python_files)"));
    flaky.forEach(f -> findings.add("flaky " + c.testId(f)));
    c.out()
        .info(
            "new tests: "
                + weak.size()
                + " weak, "
                + uncollected.size()
                + " never collected by the suite"
                + (g.flakyReruns() > 0
                    ? ", " + flaky.size() + " flaky in " + g.flakyReruns() + " more runs"
                    : ""));
    return findings;
  }

  /**
   * The new files ran by name: those the repository's own run does not collect (asked apart, in
   * {@code collecting}) add their tests to {@code uncollected}.
   */
  private static void notCollected(
      List<String> testFiles,
      GateReport after,
      java.util.concurrent.CompletableFuture<List<String>> collecting,
      List<String> uncollected,
      List<String> problems) {
    if (collecting == null) {
      return;
    }
    try {
      List<String> collected = collecting.join();
      testFiles.stream()
          .filter(f -> !collected.contains(f))
          .forEach(f -> uncollected.addAll(testsOf(f, after.tests())));
    } catch (java.util.concurrent.CompletionException e) {
      problems.add(
          "test quality: "
              + (e.getCause() instanceof TestQuality.CheckFailed f
                  ? f.getMessage()
                  : "which new files the suite collects could not be seen: " + e.getCause()));
    }
  }

  /** The new tests that still pass when every value a target returns is replaced by None. */
  private static List<String> survivingMutation(
      RunContext c, BatchState batch, String name, List<String> testFiles, Duration timeout) {
    List<String> weak = new ArrayList<>();
    for (String target : batch.files()) {
      if (target.endsWith(".py") && testFiles.stream().noneMatch(target::equals)) {
        List<String> survivors = c.testChecks().survivingMutation(name, target, testFiles, timeout);
        if (!survivors.isEmpty()) {
          weak.add(
              String.join(", ", survivors.stream().map(c::testId).toList())
                  + ": still pass when every value "
                  + target
                  + " returns is replaced by None");
        }
      }
    }

    return weak;
  }

  /**
   * For a project that runs its tests with unittest: each new test file none of whose tests ran,
   * with why (unittest collects {@code unittest.TestCase} subclasses only; plain {@code def test_}
   * functions and pytest's fixtures are pytest's, which the project's command never runs).
   */
  static List<String> runnerStyle(RunContext c, List<String> testFiles, GateReport after) {
    if (c.state().env().gates() == null
        || c.state().env().gates().runner() != dev.etask.core.gates.GateSetup.Runner.UNITTEST) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String file : testFiles) {
      String stem = file.substring(file.lastIndexOf('/') + 1).replaceFirst("\\.py$", "");
      boolean ran =
          java.util.stream.Stream.concat(
                  after.tests().passedIds().stream(), after.tests().failing().stream())
              .anyMatch(
                  id ->
                      ("." + id).contains("." + stem + ".")
                          || ("." + id).contains("." + stem + "::"));
      if (ran) {
        continue;
      }
      String text;
      try {
        text = java.nio.file.Files.readString(c.ws().repo().resolve(file));
      } catch (java.io.IOException e) {
        text = "";
      }
      boolean pytestStyle =
          java.util.regex.Pattern.compile(
                  "^(\\s*import pytest|def test_)", java.util.regex.Pattern.MULTILINE)
              .matcher(text)
              .find();
      out.add(
          file
              + " holds no test the project's runner collects: it runs its tests with python -m"
              + " unittest, which collects unittest.TestCase subclasses (test_ methods)"
              + (pytestStyle
                  ? "; this file is written for pytest (plain test functions, import pytest),"
                      + " which the project's test command never runs"
                  : ""));
    }
    return out;
  }

  /** The ids of {@code file}'s tests in {@code results} (JUnit form), or the file when none ran. */
  static List<String> testsOf(String file, dev.etask.core.gates.TestResults results) {
    String module = file.replaceFirst("\\.py$", "").replace('/', '.');
    List<String> ids = new ArrayList<>();
    java.util.stream.Stream.concat(results.passedIds().stream(), results.failing().stream())
        .filter(
            id -> id.equals(module) || id.startsWith(module + "::") || id.startsWith(module + "."))
        .forEach(ids::add);
    return ids.isEmpty() ? List.of(file) : ids;
  }
}
