package dev.etask.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.gates.Coverage;
import dev.etask.core.gates.Finding;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.TestResults;
import dev.etask.core.git.DiffStats;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleBookTest {
  private static TaskSpec spec(String extra) {
    return SpecLoader.parse(
        Path.of("/t.yaml"),
        """
        id: t
        objective: o
        target: { include: ["src/*.py"] }
        generator: { command: gen }
        """
            + extra);
  }

  private static GateReport report(
      int passed, List<String> failing, double coverage, List<Finding> lint, List<Finding> types) {
    return new GateReport(
        new TestResults(passed, failing.size(), 0, 0, failing, failing.isEmpty() ? "" : "boom"),
        new Coverage(
            coverage, Map.of("src/a.py", new Coverage.FileCoverage(List.of(1, 2, 3), List.of(4)))),
        lint,
        types,
        List.of(),
        Map.of());
  }

  private static final GateReport BEFORE =
      report(
          10,
          List.of("t::old_failure"),
          50.0,
          List.of(new Finding("src/a.py", 3, "F401", "unused")),
          List.of());
  private static final DiffStats SMALL =
      new DiffStats(1, 20, 0, Map.of("src/a.py", List.of(2, 4, 9)));

  @Test
  void cleanBatchIsAccepted() {
    GateReport after =
        report(
            14,
            List.of("t::old_failure"),
            52.0,
            List.of(new Finding("src/a.py", 40, "F401", "unused")),
            List.of());
    Map<Metric, Double> m = Measurements.compare(BEFORE, after, SMALL);
    assertThat(m)
        .containsEntry(Metric.NEW_TEST_FAILURES, 0.0)
        .containsEntry(Metric.NEW_LINT_ERRORS, 0.0)
        .containsEntry(Metric.COVERAGE_DELTA, 2.0)
        .containsEntry(Metric.DIFF_LINES, 20.0)
        .containsEntry(Metric.DIFF_COVERAGE, 50.0);
    assertThat(new RuleBook(spec("")).decide(m, List.of()).verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void newFailingTestRollsBackOrKeepsWithLabels() {
    GateReport after =
        report(11, List.of("t::old_failure", "t::new_one"), 55.0, BEFORE.lint(), List.of());
    Map<Metric, Double> m = Measurements.compare(BEFORE, after, SMALL);
    assertThat(m).containsEntry(Metric.NEW_TEST_FAILURES, 1.0);
    Decision rollback = new RuleBook(spec("")).decide(m, List.of());
    assertThat(rollback.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(rollback.labels()).containsExactly("tests-failed");
    Decision keep = new RuleBook(spec("on_test_failure: keep\n")).decide(m, List.of());
    assertThat(keep.verdict()).isEqualTo(Verdict.KEEP);
    assertThat(keep.labels()).containsExactly("tests-failed", "potential-bug");
  }

  private static GateReport passing(List<String> passed, List<String> failing) {
    return new GateReport(
        new TestResults(passed.size(), failing.size(), 0, 0, failing, "", passed),
        BEFORE.coverage(),
        BEFORE.lint(),
        List.of(),
        List.of(),
        Map.of());
  }

  @Test
  void testsThatPassedAndNoLongerRunAreRemovedAndRollBack() {
    GateReport before = passing(List.of("t::a", "t::b", "t::c"), List.of("t::old"));
    // t::b fails now (a new failure, not a removal), t::c is gone, t::new is new
    GateReport after = passing(List.of("t::a", "t::new"), List.of("t::old", "t::b"));
    assertThat(Measurements.removedTests(before, after)).containsExactly("t::c");
    Map<Metric, Double> m = Measurements.compare(before, after, SMALL);
    assertThat(m).containsEntry(Metric.TESTS_REMOVED, 1.0);
    Decision d = new RuleBook(spec("")).decide(m, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(d.rules()).contains("tests_removed", "tests_failed");
    assertThat(d.labels()).contains("tests-removed");
    assertThat(d.reason()).contains("1 test(s) that passed before no longer run");

    // the same suite, passing more: nothing removed
    GateReport grown = passing(List.of("t::a", "t::b", "t::c", "t::d"), List.of("t::old"));
    assertThat(Measurements.compare(before, grown, SMALL)).containsEntry(Metric.TESTS_REMOVED, 0.0);
    // a suite that could not run at all is a problem of its own, not 3 removals
    assertThat(Measurements.removedTests(before, passing(List.of(), List.of()))).isEmpty();
    // a user may keep it instead
    assertThat(
            new RuleBook(spec("rules: { tests_removed: { action: keep } }\n"))
                .decide(
                    Measurements.compare(before, passing(List.of("t::a"), List.of()), SMALL),
                    List.of())
                .verdict())
        .isEqualTo(Verdict.KEEP);
  }

  @Test
  void coverageDropBeyondToleranceRollsBack() {
    Map<Metric, Double> within =
        Measurements.compare(
            BEFORE, report(10, List.of("t::old_failure"), 49.6, BEFORE.lint(), List.of()), SMALL);
    assertThat(new RuleBook(spec("")).decide(within, List.of()).verdict())
        .isEqualTo(Verdict.ACCEPT);
    Map<Metric, Double> beyond =
        Measurements.compare(
            BEFORE, report(10, List.of("t::old_failure"), 49.0, BEFORE.lint(), List.of()), SMALL);
    Decision d = new RuleBook(spec("")).decide(beyond, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(d.labels()).containsExactly("coverage-risk");
    assertThat(d.reason()).contains("coverage changed by -1");
  }

  @Test
  void aBinaryFileIsKeptButLabelledItsSizeIsNoDiffLine() {
    Map<Metric, Double> m =
        Measurements.compare(
            BEFORE,
            report(10, List.of(), 50.0, List.of(), List.of()),
            new DiffStats(2, 30, 0, Map.of(), 1));
    assertThat(m.get(Metric.BINARY_FILES)).isEqualTo(1.0);
    Decision d = new RuleBook(spec("")).decide(m, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
    assertThat(d.labels()).containsExactly("binary-files");
  }

  @Test
  void lintSkipsTypeRollsBackLargeDiffKeepsAndTheMostSevereWins() {
    GateReport after =
        report(
            10,
            List.of("t::old_failure"),
            50.0,
            List.of(
                new Finding("src/a.py", 3, "F401", "unused"),
                new Finding("src/a.py", 9, "E501", "long")),
            List.of(new Finding("src/a.py", 9, "return-value", "bad")));
    Map<Metric, Double> m =
        Measurements.compare(BEFORE, after, new DiffStats(1, 500, 10, Map.of()));
    Decision d = new RuleBook(spec("")).decide(m, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(d.rules()).containsExactly("lint", "type", "large_diff");
    assertThat(d.labels()).containsExactly("style-fix-needed", "type-risk", "large-diff");

    Map<Metric, Double> lintOnly =
        Measurements.compare(
            BEFORE, report(10, List.of("t::old_failure"), 50.0, after.lint(), List.of()), SMALL);
    assertThat(new RuleBook(spec("")).decide(lintOnly, List.of()).verdict())
        .isEqualTo(Verdict.SKIP);
    assertThat(
            new RuleBook(spec("rules: { lint: { action: keep, label: lint-debt } }\n"))
                .decide(lintOnly, List.of()))
        .satisfies(
            x -> {
              assertThat(x.verdict()).isEqualTo(Verdict.KEEP);
              assertThat(x.labels()).containsExactly("lint-debt");
            });
    assertThat(
            new RuleBook(spec("quality_gates: { forbid_new_lint_errors: false }\n"))
                .decide(lintOnly, List.of())
                .verdict())
        .isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void findingsAreNewByFingerprintNotByLine() {
    List<Finding> before =
        List.of(new Finding("a.py", 1, "F401", "x"), new Finding("a.py", 2, "F401", "x"));
    List<Finding> moved =
        List.of(new Finding("a.py", 10, "F401", "x"), new Finding("a.py", 20, "F401", "x"));
    assertThat(Measurements.newFindings(before, moved)).isEqualTo(0.0);
    List<Finding> third = List.of(moved.get(0), moved.get(1), new Finding("a.py", 30, "F401", "x"));
    assertThat(Measurements.newFindings(before, third)).isEqualTo(1.0);
    assertThat(Measurements.newFindingList(before, third)).hasSize(1);
    assertThat(Measurements.newFindings(before, null)).isNull();
  }

  @Test
  void onlyToolsThatRanBeforeTheBatchAreNewProblems() {
    GateReport brokenMypy =
        new GateReport(
            BEFORE.tests(),
            BEFORE.coverage(),
            BEFORE.lint(),
            null,
            List.of("mypy could not run (exit 2): config"),
            Map.of());
    GateReport alsoPytest =
        new GateReport(
            BEFORE.tests(),
            BEFORE.coverage(),
            BEFORE.lint(),
            null,
            List.of("mypy could not run (exit 2): other", "pytest could not run (exit 4)"),
            Map.of());
    assertThat(Measurements.newProblems(brokenMypy, alsoPytest))
        .containsExactly("pytest could not run (exit 4)");
    assertThat(Measurements.newProblems(BEFORE, brokenMypy))
        .containsExactly("mypy could not run (exit 2): config");
  }

  @Test
  void gateThatCouldNotRunRollsBack() {
    Map<Metric, Double> m = Measurements.compare(BEFORE, BEFORE, SMALL);
    Decision d = new RuleBook(spec("")).decide(m, List.of("mypy could not run (exit 2)"));
    assertThat(d.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(d.reason()).contains("mypy could not run");
  }

  @Test
  void flakyRollsBackWeakTestsKeepWithALabelAndCustomRulesFire() {
    Map<Metric, Double> m = new java.util.EnumMap<>(Measurements.compare(BEFORE, BEFORE, SMALL));
    m.put(Metric.FLAKY_TESTS, 1.0);
    m.put(Metric.WEAK_TESTS, 2.0);
    Decision d = new RuleBook(spec("")).decide(m, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.ROLLBACK);
    assertThat(d.labels()).containsExactly("flaky", "weak-tests");
    m.put(Metric.FLAKY_TESTS, 0.0);
    assertThat(new RuleBook(spec("")).decide(m, List.of()).verdict()).isEqualTo(Verdict.KEEP);
    assertThat(
            new RuleBook(spec("quality_gates: { check_assertions: false }\n"))
                .decide(m, List.of())
                .verdict())
        .isEqualTo(Verdict.ACCEPT);
    m.put(Metric.WEAK_TESTS, 0.0);
    Decision custom =
        new RuleBook(spec("rules: { touches_many: { when: \"diff_lines > 10\", action: skip } }\n"))
            .decide(m, List.of());
    assertThat(custom.verdict()).isEqualTo(Verdict.SKIP);
    assertThat(custom.labels()).containsExactly("touches-many");
    assertThat(custom.reason()).contains("touches_many (diff_lines > 10)");
  }

  @Test
  void generatorFailuresSkipThenAbort() {
    RuleBook book = new RuleBook(spec(""));
    assertThat(book.generatorFailed("exit 1", false).verdict()).isEqualTo(Verdict.SKIP);
    Decision abort = book.generatorFailed("exit 1", true);
    assertThat(abort.verdict()).isEqualTo(Verdict.ABORT);
    assertThat(abort.labels()).containsExactly("aborted");
  }

  @Test
  void riskLevelFromExpressionsAndLabels() {
    TaskSpec s =
        spec(
            "pr: { risk_rules: { high_if: [\"coverage_delta < -2\"], medium_if: [\"diff_lines > 100\"] } }\n");
    assertThat(RiskAssessor.level(s, Map.of(Metric.COVERAGE_DELTA, -3.0), List.of()))
        .isEqualTo("high");
    assertThat(RiskAssessor.level(s, Map.of(Metric.DIFF_LINES, 101.0), List.of()))
        .isEqualTo("medium");
    assertThat(RiskAssessor.level(s, Map.of(Metric.DIFF_LINES, 10.0), List.of("large-diff")))
        .isEqualTo("medium");
    assertThat(RiskAssessor.level(s, Map.of(Metric.DIFF_LINES, 10.0), List.of())).isEqualTo("low");
  }

  @Test
  void aBatchThatChangesTheTestRunnersConfigurationIsLabelled() {
    Map<Metric, Double> m = Measurements.compare(BEFORE, BEFORE, SMALL);
    m.put(Metric.TEST_CONFIG_FILES, 1.0);
    Decision d = new RuleBook(spec("")).decide(m, List.of());
    assertThat(d.verdict()).isEqualTo(Verdict.KEEP);
    assertThat(d.labels()).containsExactly("test-config-changed");
    assertThat(dev.etask.core.gates.RunnerConfig.isRunnerConfig("tests/conftest.py")).isTrue();
    assertThat(dev.etask.core.gates.RunnerConfig.isRunnerConfig("src/x/_cheat.pth")).isTrue();
    assertThat(dev.etask.core.gates.RunnerConfig.isRunnerConfig("tests/test_conftest.py"))
        .isFalse();
    TaskSpec globbed = spec("");
    assertThat(
            dev.etask.core.gates.RunnerConfig.namedExactly(
                "tests/conftest.py", List.of(dev.etask.core.spec.Glob.compile("tests/**"))))
        .isFalse();
    assertThat(
            dev.etask.core.gates.RunnerConfig.namedExactly(
                "tests/conftest.py",
                List.of(dev.etask.core.spec.Glob.compile("tests/conftest.py"))))
        .isTrue();
    assertThat(globbed.rules()).isEmpty();
    assertThat(dev.etask.core.gates.RunnerConfig.isRunnerConfig("tests/CONFTEST.PY")).isTrue();
    assertThat(dev.etask.core.gates.RunnerConfig.isRunnerConfig("pytest.toml")).isTrue();
    assertThat(
            dev.etask.core.gates.RunnerConfig.configuresTheRunner(
                "import os\npytest_plugins = [\"helper\"]\n"))
        .isTrue();
    assertThat(
            dev.etask.core.gates.RunnerConfig.configuresTheRunner(
                "def pytest_runtest_makereport(item, call):\n"))
        .isTrue();
    assertThat(
            dev.etask.core.gates.RunnerConfig.configuresTheRunner(
                "def test_pytest_plugins_are_used():\n" + "    x = 'pytest_plugins = 1'\n"))
        .isFalse();
  }
}
