package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.DiffStats;
import dev.etask.core.report.GateTable;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch's measurement and its verdict, for {@link ValidatePhase}: its new tests alone or the
 * whole suite, the checks of its new tests, the rule book's decision, recorded on the batch and
 * shown with the gate table and the new findings.
 */
final class BatchVerdict {
  private static final int SHOWN_FINDINGS = 20;

  private BatchVerdict() {}

  /** Measures and decides; true when the batch is to be measured again with the whole suite. */
  static boolean measureAndDecide(
      RunContext c,
      BatchState batch,
      String name,
      long t0,
      GateReport before,
      BatchShape shape,
      boolean dependencies,
      boolean whole) {
    TaskSpec spec = c.spec();
    Duration timeout = c.budget().atMost(RunContext.GATE_TIMEOUT, Duration.ofMinutes(1));
    String whyFull = whole ? null : BatchShape.whyFull(c, before, shape);
    boolean incremental = !whole && whyFull == null;
    List<String> testFiles = shape.testFiles();
    DiffStats diff = shape.diff();
    Measured m = measure(c, batch, name, before, shape, incremental, whyFull, timeout);
    GateReport after = m.after();
    Map<Metric, Double> metrics = Measurements.compare(before, after, diff);
    metrics.put(Metric.TEST_CONFIG_FILES, (double) shape.runnerConfigs());
    List<String> problems = new ArrayList<>(Measurements.newProblems(before, after));
    RuleBook book = new RuleBook(spec);
    Decision decision = book.decide(metrics, problems);
    if (c.out().debugging()) {
      c.out()
          .debug("rule book inputs for batch " + c.label(batch) + ": " + metrics + " " + problems);
    }
    // the checks of the new tests (weak, flaky, never collected) are full validation's too, run on
    // the same files; only what the measurement itself rejected may read otherwise in the suite
    boolean measurementRejected = !decision.verdict().commits();
    List<String> findings = new ArrayList<>();
    List<String> style = NewTests.runnerStyle(c, testFiles, after);
    decision =
        checkNewTests(c, batch, name, after, m, style, metrics, problems, findings, decision, book);
    List<String> changedByGates = c.staging().verify();
    if (incremental && measurementRejected && style.isEmpty() && changedByGates.isEmpty()) {
      // rejected on its new tests alone: what the whole suite shows may reject it otherwise (a
      // skip for a lint finding where its tests also break others), so it is judged as full
      // validation judges it
      c.out().info("rejected on its new tests alone; measured again with the whole suite");
      return true;
    }
    if (!changedByGates.isEmpty()) {
      // what the gates saw may not be the batch's tree: nothing of it is committed
      decision =
          Decision.of(
              Verdict.ROLLBACK,
              "the clone changed while the gates ran (a test?): "
                  + String.join("; ", changedByGates)
                  + "; the batch is not committed");
    }
    Measurements.newFailing(before, after).forEach(t -> findings.add("fail  " + c.testId(t)));
    Measurements.removedTests(before, after).forEach(t -> findings.add("gone  " + c.testId(t)));
    Measurements.newFindingList(before.lint(), after.lint())
        .forEach(f -> findings.add("lint  " + f));
    Measurements.newFindingList(before.types(), after.types())
        .forEach(f -> findings.add("type  " + f));
    show(c, findings);
    record(c, batch, t0, before, after, metrics, problems, findings, decision, dependencies);
    return false;
  }

  private record Measured(
      GateReport after,
      java.util.concurrent.CompletableFuture<List<String>> collecting,
      List<String> testFiles,
      Duration timeout) {}

  /**
   * The batch measured: its new tests alone on top of the state before ({@code incremental}), else
   * the whole suite; which new test files the suite collects asked beside it.
   */
  private static Measured measure(
      RunContext c,
      BatchState batch,
      String name,
      GateReport before,
      BatchShape shape,
      boolean incremental,
      String whyFull,
      Duration timeout) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    java.nio.file.Path beforeData = c.store().coverageData("current");
    List<String> testFiles = shape.testFiles();
    // which new files the suite collects is asked beside the measurement (two children at once)
    java.util.concurrent.CompletableFuture<List<String>> collecting =
        incremental && spec.qualityGates().checkAssertions()
            ? java.util.concurrent.CompletableFuture.supplyAsync(
                () -> c.testChecks().collectedBySuite(name, testFiles, timeout))
            : null;
    GateReport after;
    try {
      after =
          incremental
              ? c.gates()
                  .measureNewTests(
                      name,
                      state.env().sourceDirs(),
                      testFiles,
                      before,
                      beforeData,
                      c.store().coverageRoot("current"),
                      1 + Math.max(1, spec.qualityGates().flakyReruns()),
                      timeout)
              : c.gates().measure(name, state.env().sourceDirs(), timeout);
    } catch (RuntimeException e) {
      if (collecting != null) {
        collecting.handle((r, x) -> null).join(); // no gate run outlives its phase
      }
      throw e;
    }
    c.store().writeReport(name, after);
    batch.validatedBy(incremental ? "incremental" : "full");
    if (whyFull != null && spec.qualityGates().validation() != TaskSpec.Validation.FULL) {
      c.out().info("validated with the whole suite: " + whyFull);
    }
    if (incremental) {
      c.out()
          .info(
              "validated incrementally: the "
                  + testFiles.size()
                  + " new test file(s) alone, on top of the state before; the whole suite runs"
                  + " before the push");
    }
    return new Measured(after, collecting, testFiles, timeout);
  }

  /**
   * The checks of the batch's new tests (their runner's style; weak, never collected, flaky), added
   * to {@code findings}; the decision they leave. Every gate run of the batch has ended after it.
   */
  private static Decision checkNewTests(
      RunContext c,
      BatchState batch,
      String name,
      GateReport after,
      Measured m,
      List<String> style,
      Map<Metric, Double> metrics,
      List<String> problems,
      List<String> findings,
      Decision decision,
      RuleBook book) {
    List<String> testFiles = m.testFiles();
    java.util.concurrent.CompletableFuture<List<String>> collecting = m.collecting();
    Duration timeout = m.timeout();
    if (!style.isEmpty()) {
      // the project's own test command would never run them: a retry gets the reason
      decision =
          new Decision(
              Verdict.ROLLBACK,
              String.join("; ", style),
              List.of("test_style"),
              List.of("wrong-test-style"));
      style.forEach(x -> findings.add("style " + x));
    } else if (decision.verdict().commits() && !testFiles.isEmpty()) {
      findings.addAll(
          NewTests.check(c, batch, name, testFiles, after, collecting, metrics, problems, timeout));
      decision = book.decide(metrics, problems);
    }
    if (collecting != null) {
      try {
        collecting.join(); // every gate run of the batch has ended before the clone is checked
      } catch (java.util.concurrent.CompletionException e) {
        // said by the checks of the new tests when they ran
      }
    }
    return decision;
  }

  /** The new findings on the console, the first {@value #SHOWN_FINDINGS}. */
  private static void show(RunContext c, List<String> findings) {
    for (int i = 0; i < findings.size(); i++) {
      if (i == SHOWN_FINDINGS) {
        c.out()
            .warn(
                "new: … and "
                    + (findings.size() - SHOWN_FINDINGS)
                    + " more (status.json has them all)");
        break;
      }
      c.out().warn("new: " + findings.get(i));
    }
  }

  /** The decision recorded on the batch and shown with its gate table. */
  private static void record(
      RunContext c,
      BatchState batch,
      long t0,
      GateReport before,
      GateReport after,
      Map<Metric, Double> metrics,
      List<String> problems,
      List<String> findings,
      Decision decision,
      boolean dependencies) {
    String excerpt =
        metrics.getOrDefault(Metric.NEW_TEST_FAILURES, 0.0) > 0 || !problems.isEmpty()
            ? (after.tests().failureExcerpt().isEmpty()
                ? String.join("\n", problems)
                : after.tests().failureExcerpt())
            : null;
    if (dependencies) {
      List<String> labels = new ArrayList<>(decision.labels());
      labels.add(ProjectEnvironment.DEPENDENCIES_CHANGED);
      decision = new Decision(decision.verdict(), decision.reason(), decision.rules(), labels);
      c.out().info("measured in an environment built for the dependencies the batch declares");
    }
    Map<String, Double> measured = new LinkedHashMap<>();
    metrics.forEach((k, v) -> measured.put(k.key(), v));
    batch.decide(decision, measured, findings, excerpt);
    batch.addDuration(Duration.ofNanos(System.nanoTime() - t0).toMillis());
    GateTable.text(
            GateTable.rows(
                before,
                after,
                metrics,
                decision.rules(),
                c.state().env().gates().typesOff() != null))
        .forEach(l -> c.out().info("  " + l));
    c.out()
        .info(
            "decision: "
                + decision.verdict()
                + " — "
                + decision.reason()
                + (decision.labels().isEmpty()
                    ? ""
                    : " [" + String.join(", ", decision.labels()) + "]")
                + " (gates took "
                + RunContext.secs(t0)
                + ")");
  }
}
