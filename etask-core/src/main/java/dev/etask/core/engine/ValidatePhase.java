package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Trees;
import dev.etask.core.report.GateTable;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * VALIDATE: the gates on the generated batch against the state before it, the checks of its new
 * tests (weak, never collected, flaky), and the rule book's decision, printed as the gate table and
 * recorded on the batch. COMMIT applies it.
 */
final class ValidatePhase implements Phase {
  private static final int SHOWN_FINDINGS = 20;

  @Override
  public String name() {
    return "validate";
  }

  @Override
  public void execute(RunContext c) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    BatchState batch =
        c.batchAt(
            BatchState.Stage.GENERATED,
            "no generated batch to validate; run " + c.hints().command("generate") + " first",
            "is already validated; run " + c.hints().command("commit") + " next");
    if (batch == null) {
      return;
    }
    c.out().phase("VALIDATE", "batch " + c.label(batch));
    long t0 = System.nanoTime();
    GateReport before;
    try {
      before = c.store().readReport("current");
    } catch (EtaskException e) {
      if (e.code() != Code.REPORT_TAMPERED) {
        throw e;
      }
      rejectAfterTampering(c, batch, e.getMessage());
      return;
    }
    String name = batch.name();
    BatchShape shape;
    try (GitRepo git = c.openClone()) {
      ObjectId tree = batch.tree() == null ? git.headTree() : ObjectId.fromString(batch.tree());
      shape = BatchShape.of(c, git, tree);
      List<String> leaking = Trees.filesWhere(git, git.headTree(), tree, c.redactor()::appearsIn);
      if (!leaking.isEmpty()) {
        refuse(
            c,
            batch,
            "the batch writes a secret etask knows of (a token or password of yours) into "
                + String.join(", ", leaking)
                + "; it is never committed");
        return;
      }
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
    String whyFull = BatchShape.whyFull(c, before, shape);
    Settled settled = settle(c, batch, before, shape, whyFull);
    if (settled == null) {
      return;
    }
    before = settled.before();
    shape = settled.shape();
    boolean dependencies = false;
    if (shape.changes().stream()
        .anyMatch(x -> ProjectEnvironment.mayDeclareDependencies(x.path()))) {
      // measured in an environment made for what the batch declares; the state before stays
      // the one measured before it
      try {
        dependencies = ProjectEnvironment.follow(c);
      } catch (EtaskException e) {
        if (e.code() != Code.ENV_FAILED) {
          throw e;
        }
        refuse(
            c,
            batch,
            new Decision(
                Verdict.ROLLBACK,
                "the dependencies it declares do not install: " + e.getMessage(),
                List.of("dependencies"),
                List.of(ProjectEnvironment.DEPENDENCIES_CHANGED)));
        ProjectEnvironment.follow(c); // the branch's environment again
        return;
      }
    }
    boolean whole = false;
    while (true) {
      c.staging().expect(shape.tree()); // every gate run of the batch measures exactly its tree
      boolean again;
      try {
        again = measureAndDecide(c, batch, name, t0, before, shape, dependencies, whole);
      } finally {
        c.staging().expect(null);
      }
      if (!again) {
        return;
      }
      // rejected on its new tests alone: judged by the whole suite on a verified state
      settled = settle(c, batch, before, shape, "its new tests alone rejected it");
      if (settled == null) {
        return;
      }
      before = settled.before();
      shape = settled.shape();
      whole = true;
    }
  }

  private record Settled(GateReport before, BatchShape shape) {}

  /**
   * Before the whole suite measures the batch ({@code needed}): the batches validated incrementally
   * before it verified first, what fails taken off ({@link Delivery#settle}), its tree made again
   * on what is left, and the state before it read again. {@code why}: why the whole suite measures
   * it (null: it does not). Null when the batch was refused (its changes no longer apply).
   */
  private static Settled settle(
      RunContext c, BatchState batch, GateReport before, BatchShape shape, String why) {
    if (why == null || batch.tree() == null) {
      return new Settled(before, shape);
    }
    try (GitRepo git = c.openClone()) {
      ObjectId settled = new Delivery(c).settle(git, batch, shape.tree(), why);
      if (settled == null) {
        refuse(
            c,
            batch,
            "its changes no longer apply: a batch before it, which they build on, was taken off"
                + " (the whole suite fails with it)");
        return null;
      }
      if (!settled.equals(shape.tree())) {
        batch.generated(batch.changedFiles(), settled.name());
      }
      return new Settled(c.store().readReport("current"), BatchShape.of(c, git, settled));
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
  }

  /** Measures and decides; true when the batch is to be measured again with the whole suite. */
  private static boolean measureAndDecide(
      RunContext c,
      BatchState batch,
      String name,
      long t0,
      GateReport before,
      BatchShape shape,
      boolean dependencies,
      boolean whole) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    Duration timeout = c.budget().atMost(RunContext.GATE_TIMEOUT, Duration.ofMinutes(1));
    java.nio.file.Path beforeData = c.store().coverageData("current");
    String whyFull = whole ? null : BatchShape.whyFull(c, before, shape);
    boolean incremental = !whole && whyFull == null;
    List<String> testFiles = shape.testFiles();
    DiffStats diff = shape.diff();
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
                      state.sourceDirs,
                      testFiles,
                      before,
                      beforeData,
                      c.store().coverageRoot("current"),
                      1 + Math.max(1, spec.qualityGates().flakyReruns()),
                      timeout)
              : c.gates().measure(name, state.sourceDirs, timeout);
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
    Map<Metric, Double> metrics = Measurements.compare(before, after, diff);
    metrics.put(Metric.TEST_CONFIG_FILES, (double) shape.runnerConfigs());
    List<String> problems = new ArrayList<>(Measurements.newProblems(before, after));
    RuleBook book = new RuleBook(spec);
    Decision decision = book.decide(metrics, problems);
    // the checks of the new tests (weak, flaky, never collected) are full validation's too, run on
    // the same files; only what the measurement itself rejected may read otherwise in the suite
    boolean measurementRejected = !decision.verdict().commits();
    List<String> findings = new ArrayList<>();
    List<String> style = NewTests.runnerStyle(c, testFiles, after);
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
                before, after, metrics, decision.rules(), c.state().gates.typesOff() != null))
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
    return false;
  }

  /** Rejects the batch before any gate runs: the tree back to the tip, no retry. */
  private static void refuse(RunContext c, BatchState batch, String why) {
    refuse(c, batch, Decision.of(Verdict.ROLLBACK, why));
  }

  private static void refuse(RunContext c, BatchState batch, Decision d) {
    try (GitRepo git = c.openClone()) {
      c.staging().restore(git);
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
    batch.close(d);
    batch.leaveOut();
    c.out().warn("batch " + c.label(batch) + " rolled back: " + d.reason());
  }

  /**
   * The report of the state before the batch was changed after etask wrote it: nothing measured
   * against it can be trusted. The batch is rolled back and the branch's tip measured again.
   */
  private static void rejectAfterTampering(RunContext c, BatchState batch, String why) {
    refuse(c, batch, why);
    GateReport tip = c.gates().measure("current", c.state().sourceDirs, RunContext.GATE_TIMEOUT);
    c.store().writeReport("current", tip);
    c.out().info("measured " + c.spec().branch() + " again: " + PreparePhase.line(tip));
  }
}
