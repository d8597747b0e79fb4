package dev.etask.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecLoaderTest {
  private static final Path FILE = Path.of("/specs/task.yaml");

  private static final String MINIMAL =
      """
      id: add-tests
      objective: "Add tests"
      target:
        include: ["src/**/*.py"]
      generator:
        command: "python gen.py {file}"
      """;

  private static SpecException problem(String yaml) {
    try {
      SpecLoader.parse(FILE, yaml);
    } catch (SpecException e) {
      return e;
    }
    throw new AssertionError("expected a spec error for:\n" + yaml);
  }

  @Test
  void minimalSpecGetsDefaults() {
    TaskSpec spec = SpecLoader.parse(FILE, MINIMAL);
    assertThat(spec.id()).isEqualTo("add-tests");
    assertThat(spec.branch()).isEqualTo("auto/add-tests");
    assertThat(spec.strategy().batchMode()).isEqualTo(TaskSpec.BatchMode.SINGLE_FILE);
    assertThat(spec.strategy().maxAttemptsPerBatch()).isEqualTo(1);
    assertThat(spec.qualityGates().coverageTolerance()).isEqualTo(0.5);
    assertThat(spec.onTestFailure()).isEqualTo(TaskSpec.OnTestFailure.ROLLBACK);
    assertThat(spec.pr().provider()).isEqualTo(TaskSpec.Provider.AUTO);
    assertThat(spec.generator().timeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(spec.python().tools()).as("only what the spec asks for").isEmpty();
    assertThat(SpecLoader.DEFAULT_TOOLS).containsKeys("pytest", "coverage", "ruff", "mypy");
    assertThat(spec.qualityGates().tests())
        .isEqualTo(new TaskSpec.Tests(TaskSpec.Runner.AUTO, java.util.List.of()));
    assertThat(spec.qualityGates().lint().select()).isNull();
    assertThat(spec.python().install()).isNull();
    assertThat(spec.git().testFiles()).extracting(Glob::pattern).contains("tests/**");
    assertThat(spec.repository().url()).isNull();
  }

  @Test
  void fullSpecIsRead() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            """
        id: add-payment-tests
        branch: auto/payments
        objective: "Add unit tests for the payment module"
        repository: { url: ../sample-service, base: develop }
        target:
          include: ["src/service/payment.py"]
          exclude: ["src/service/legacy_*.py"]
          writable: ["tests/**"]
        strategy: { batch_mode: per_directory, max_attempts_per_batch: 3, max_generator_failures: 2 }
        generator: { command: "gen {files}", timeout: 90s, env: [OPENAI_API_KEY] }
        python:
          install: ["-r requirements.txt"]
          tools: { ruff: "==0.6.9" }
          source: ["src/service"]
        limits: { max_commits: 3, max_runtime_minutes: 2h }
        quality_gates: { min_coverage_delta: 1, coverage_tolerance: 0.25, max_diff_lines: 50 }
        on_test_failure: keep
        rules: { lint: { action: keep, label: lint-debt } }
        git: { author: "Bot <bot@example.com>", test_files: ["tests/**"] }
        pr:
          provider: local
          title_prefix: "feat(test):"
          labels: [automated, test]
          failure_pr: true
          risk_rules: { high_if: ["coverage_delta < -2"], medium_if: ["diff_lines > 300 and new_type_errors > 0"] }
        """);
    assertThat(spec.branch()).isEqualTo("auto/payments");
    assertThat(spec.repository())
        .isEqualTo(new TaskSpec.Repository("../sample-service", "develop"));
    assertThat(spec.strategy())
        .isEqualTo(new TaskSpec.Strategy(TaskSpec.BatchMode.PER_DIRECTORY, 3, 2));
    assertThat(spec.generator().timeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.generator().env()).containsExactly("OPENAI_API_KEY");
    assertThat(spec.python().tools()).containsExactly(java.util.Map.entry("ruff", "==0.6.9"));
    assertThat(spec.python().source()).containsExactly("src/service");
    assertThat(spec.limits().maxRuntime()).isEqualTo(Duration.ofHours(2));
    assertThat(spec.qualityGates().maxDiffLines()).isEqualTo(50);
    assertThat(spec.onTestFailure()).isEqualTo(TaskSpec.OnTestFailure.KEEP);
    assertThat(spec.rules().get("lint"))
        .isEqualTo(new TaskSpec.RuleOverride(TaskSpec.Action.KEEP, "lint-debt", null));
    assertThat(spec.git().authorName()).isEqualTo("Bot");
    assertThat(spec.git().authorEmail()).isEqualTo("bot@example.com");
    assertThat(spec.pr().failurePr()).isTrue();
    assertThat(spec.pr().highIf())
        .extracting(Expression::source)
        .containsExactly("coverage_delta < -2");
    assertThat(spec.pr().mediumIf()).hasSize(1);
  }

  @Test
  void aWritableThatAllowsEverythingIsWarnedOfNotRefused() {
    TaskSpec all =
        SpecLoader.parse(
            FILE,
            MINIMAL.replace(
                "include: [\"src/**/*.py\"]", "include: [\"src/**/*.py\"]\n  writable: [\"**\"]"));
    assertThat(SpecAdvice.warnings(all))
        .singleElement()
        .asString()
        .startsWith("target.writable: ['**'] lets a batch change any file of the repository");
    TaskSpec tests =
        SpecLoader.parse(
            FILE,
            MINIMAL.replace(
                "include: [\"src/**/*.py\"]",
                "include: [\"src/**/*.py\"]\n  writable: [\"tests/**\"]"));
    assertThat(SpecAdvice.warnings(tests)).isEmpty();
  }

  @Test
  void durationsAcceptSecondsMinutesHoursAndPlainMinutes() {
    String base = MINIMAL + "limits:\n  max_runtime_minutes: ";
    assertThat(SpecLoader.parse(FILE, base + "45\n").limits().maxRuntime())
        .isEqualTo(Duration.ofMinutes(45));
    assertThat(SpecLoader.parse(FILE, base + "30s\n").limits().maxRuntime())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(SpecLoader.parse(FILE, base + "1.5h\n").limits().maxRuntime())
        .isEqualTo(Duration.ofMinutes(90));
    assertThat(problem(base + "soon\n").getMessage())
        .contains("task.yaml:8:24")
        .contains("duration such as 90s");
    // below a second is taken as nothing at all ("reached (0s)", "timed out after 0s"): refused
    assertThat(problem(base + "0.4s\n").getMessage())
        .contains(
            "task.yaml:8:24: 'limits.max_runtime_minutes' must be at least 1 second but is '0.4s'");
    assertThat(problem(MINIMAL + "  timeout: 0.0001s\n").getMessage())
        .contains("'generator.timeout' must be at least 1 second but is '0.0001s'");
  }

  @Test
  void misspeltKeyNamesFileLineColumnAndTheClosestKey() {
    SpecException e = problem(MINIMAL + "stratgy:\n  batch_mode: all\n");
    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage())
        .isEqualTo("/specs/task.yaml:7:1: unknown key 'stratgy'; did you mean 'strategy'?");
  }

  @Test
  void aTaskTypeEtaskDoesNotHaveIsRefusedAtLoadTimeNotIgnored() {
    SpecException e = problem(MINIMAL + "type: refactor\n");
    assertThat(e.getMessage())
        .startsWith("/specs/task.yaml:7:7: 'type: refactor' is not a task type etask has")
        .contains("the known types: custom, add-tests");
    assertThat(SpecLoader.parse(FILE, MINIMAL + "type: custom\n").type()).isEqualTo("custom");
    assertThat(SpecLoader.parse(FILE, MINIMAL).type()).isEqualTo("custom");
  }

  @Test
  void misspeltNestedKey() {
    SpecException e = problem(MINIMAL.replace("  include:", "  includ:"));
    assertThat(e.getMessage())
        .contains("task.yaml:4:3: unknown key 'target.includ'; did you mean 'include'?");
  }

  @Test
  void duplicateKeyNamesBothLines() {
    SpecException e = problem(MINIMAL + "id: again\n");
    assertThat(e.getMessage())
        .contains("task.yaml:7:1: duplicate key 'id' (first defined on line 1)");
  }

  @Test
  void wrongTypeSaysWhatWasExpected() {
    SpecException e = problem(MINIMAL + "limits:\n  max_commits: five\n");
    assertThat(e.getMessage())
        .contains(
            "task.yaml:8:16: 'limits.max_commits' must be a whole number but is a string 'five'");
    e = problem(MINIMAL + "quality_gates:\n  require_all_tests_pass: sometimes\n");
    assertThat(e.getMessage()).contains("must be true or false");
    e = problem(MINIMAL + "strategy: single_file\n");
    assertThat(e.getMessage()).contains("'strategy' must be a mapping");
  }

  @Test
  void invalidIdIsRefused() {
    SpecException e = problem(MINIMAL.replace("id: add-tests", "id: Add Tests!"));
    assertThat(e.getMessage()).contains("task.yaml:1:5: invalid task id 'Add Tests!'");
  }

  @Test
  void emptyIncludeIsRefused() {
    SpecException e = problem(MINIMAL.replace("include: [\"src/**/*.py\"]", "include: []"));
    assertThat(e.getMessage()).contains("task.yaml:4:12: 'target.include' is empty");
  }

  @Test
  void missingRequiredKeysAreAllReported() {
    SpecException e = problem("id: x\n");
    assertThat(e.problems())
        .extracting(SpecException.Problem::message)
        .anyMatch(m -> m.contains("missing required key 'objective'"))
        .anyMatch(m -> m.contains("missing required key 'target.include'"))
        .anyMatch(m -> m.contains("missing required key 'generator.command'"));
  }

  @Test
  void badEnumSuggestsTheClosestValue() {
    SpecException e = problem(MINIMAL + "on_test_failure: rollbak\n");
    assertThat(e.getMessage())
        .contains("must be one of rollback, keep but is 'rollbak'; did you mean 'rollback'?");
  }

  @Test
  void badGlobIsASpecError() {
    SpecException e = problem(MINIMAL.replace("src/**/*.py", "src/[abc.py"));
    assertThat(e.getMessage()).contains("task.yaml:4:13: bad glob in 'target.include'");
  }

  @Test
  void unknownMetricInAnExpressionPointsAtTheWord() {
    SpecException e =
        problem(MINIMAL + "pr:\n  risk_rules:\n    high_if: [\"coverage_delat < -2\"]\n");
    assertThat(e.getMessage())
        .contains(
            "task.yaml:9:16: bad expression in 'pr.risk_rules.high_if': unknown metric 'coverage_delat'")
        .contains("did you mean 'coverage_delta'?")
        .contains("Valid metrics: tests_passed");
  }

  @Test
  void yamlSyntaxErrorHasAPosition() {
    SpecException e = problem("id: x\ntarget: [unclosed\n");
    assertThat(e.getMessage()).startsWith("/specs/task.yaml:").contains("invalid YAML");
  }

  @Test
  void customRulesHaveAnExpression() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            MINIMAL + "rules:\n  big_change: { when: \"diff_files > 3\", action: rollback }\n");
    TaskSpec.RuleOverride r = spec.rules().get("big_change");
    assertThat(r.action()).isEqualTo(TaskSpec.Action.ROLLBACK);
    assertThat(r.label()).isEqualTo("big-change");
    assertThat(r.when().source()).isEqualTo("diff_files > 3");
    assertThat(problem(MINIMAL + "rules:\n  big: { when: \"diff_filez > 3\" }\n").getMessage())
        .contains(
            "task.yaml:8:17: bad expression in 'rules.big.when': unknown metric 'diff_filez'");
  }

  @Test
  void unknownRuleAndToolAreRefused() {
    assertThat(problem(MINIMAL + "rules:\n  lnt: { action: keep }\n").getMessage())
        .contains("task.yaml:8:3: unknown rule 'lnt'; did you mean 'lint'?")
        .contains("a custom rule needs 'when:");
    assertThat(problem(MINIMAL + "python:\n  tools: { pytset: '>=8' }\n").getMessage())
        .contains("did you mean 'pytest'?");
  }

  @Test
  void aliasBombIsRefused() {
    StringBuilder y = new StringBuilder(MINIMAL).append("a: &a [x, x, x]\n");
    for (int i = 0; i < 15; i++) {
      y.append("b").append(i).append(": &b").append(i).append(" [*a, *a]\n");
    }
    assertThatThrownBy(() -> SpecLoader.parse(FILE, y.toString()))
        .isInstanceOf(SpecException.class);
  }

  @Test
  void missingFileSaysSo(@TempDir Path dir) {
    assertThatThrownBy(() -> SpecLoader.load(dir.resolve("nope.yaml")))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("nope.yaml: no such task spec");
  }

  @Test
  void aSpecThatIsNotUtf8SaysSoAndHowToFixIt(@TempDir Path dir) throws Exception {
    Path latin1 = dir.resolve("t.yaml");
    Files.write(
        latin1,
        "objective: \"Caf\u00e9\"\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> SpecLoader.load(latin1))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("t.yaml: is not UTF-8 text")
        .hasMessageNotContaining("Input length");
  }

  @Test
  void loadsAFileAndResolvesTheSpecDir(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("t.yaml");
    Files.writeString(f, MINIMAL);
    TaskSpec spec = SpecLoader.load(f);
    assertThat(spec.specDir()).isEqualTo(dir.toAbsolutePath());
  }

  @Test
  void emptyFileIsRefused() {
    assertThat(problem("").getMessage()).contains("is empty");
    assertThat(problem("- a\n- b\n").getMessage()).contains("top level must be a mapping");
  }

  @Test
  void idsThatAreReservedOrClimbOutAreRefused() {
    assertThat(problem(MINIMAL.replace("id: add-tests", "id: artifacts")).getMessage())
        .contains("task.yaml:1:5")
        .contains("reserved");
    assertThat(problem(MINIMAL.replace("id: add-tests", "id: ../victim")).getMessage())
        .contains("invalid task id");
    assertThat(TaskIds.problem("origins")).contains("reserved");
    assertThat(TaskIds.problem("add-tests")).isNull();
  }

  @Test
  void installItemsAreSplitLikeShellWords() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            MINIMAL
                + """
        python:
          install: ["-r requirements.txt", "-e '.[test, dev]'", "pytest-xdist", "--index-url \\"https://x/simple\\"",
            "tomli; python_version < '3.11'", "requests >= 2.31"]
          env: [TOKENIZERS_PARALLELISM]
        """);
    assertThat(spec.python().install())
        .containsExactly(
            "-r",
            "requirements.txt",
            "-e",
            ".[test, dev]",
            "pytest-xdist",
            "--index-url",
            "https://x/simple",
            "tomli; python_version < '3.11'",
            "requests >= 2.31");
    assertThat(spec.python().env()).containsExactly("TOKENIZERS_PARALLELISM");
    assertThat(problem(MINIMAL + "python:\n  install: [\"-r 'unclosed\"]\n").getMessage())
        .contains("task.yaml:8:13")
        .contains("never closed");
    assertThat(ShellWords.split("  a\\ b  \"c d\" '' ")).containsExactly("a b", "c d", "");
  }

  @Test
  void theGithubSectionIsReadAndCheckedAndTokensNeverGoToChildren() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            MINIMAL
                + """
        pr:
          provider: github
          github:
            api_url: https://ghe.example.com/api/v3/
            repository: acme/shop
            server_id: ghe
            reviewers: [alice, bob-2]
            draft: true
        """);
    TaskSpec.Github gh = spec.pr().github();
    assertThat(spec.pr().provider()).isEqualTo(TaskSpec.Provider.GITHUB);
    assertThat(gh)
        .isEqualTo(
            new TaskSpec.Github(
                "https://ghe.example.com/api/v3",
                "acme/shop",
                "ghe",
                List.of("alice", "bob-2"),
                true,
                true));
    assertThat(SpecLoader.parse(FILE, MINIMAL).pr().github()).isEqualTo(TaskSpec.Github.defaults());

    String bad =
        problem(
                MINIMAL
                    + """
        pr:
          github:
            api_url: https://user:s3cret@ghe.example.com/api/v3
            repository: not-a-repo
            reviewers: ["no spaces"]
            tokne: x
        """)
            .getMessage();
    assertThat(bad)
        .contains("must not hold credentials")
        .contains("must be 'owner/name'")
        .contains("is not a GitHub login")
        .contains("unknown key 'pr.github.tokne'");
    assertThat(
            problem(MINIMAL + "pr: { github: { api_url: http://ghe.corp/api/v3 } }\n").getMessage())
        .contains("must use https");
    assertThat(
            SpecLoader.parse(FILE, MINIMAL + "pr: { github: { api_url: http://localhost:8089 } }\n")
                .pr()
                .github()
                .apiUrl())
        .isEqualTo("http://localhost:8089");

    assertThat(problem(MINIMAL + "  env: [GH_TOKEN, HOME2]\n").getMessage())
        .contains("'GH_TOKEN' in 'generator.env': etask never passes a token");
    assertThat(problem(MINIMAL + "python: { env: [GITHUB_TOKEN] }\n").getMessage())
        .contains("'GITHUB_TOKEN' in 'python.env'");
  }

  @Test
  void testRunnerAndLintRulesCanBeSet() {
    TaskSpec spec =
        SpecLoader.parse(
            FILE,
            MINIMAL
                + """
        quality_gates:
          tests: { runner: unittest, args: ["discover -s tests"] }
          lint: { select: [E9, F82, I001] }
        """);
    assertThat(spec.qualityGates().tests().runner()).isEqualTo(TaskSpec.Runner.UNITTEST);
    assertThat(spec.qualityGates().tests().args()).containsExactly("discover", "-s", "tests");
    assertThat(spec.qualityGates().lint().select()).containsExactly("E9", "F82", "I001");
    assertThat(problem(MINIMAL + "quality_gates: { tests: { runner: nose } }\n").getMessage())
        .contains("must be one of auto, pytest, unittest");
    assertThat(problem(MINIMAL + "quality_gates: { lint: { select: [e501] } }\n").getMessage())
        .contains("'e501' is not a ruff rule code");
  }

  @Test
  void howATaskFollowsAMovingBaseCanBeSet() {
    TaskSpec.Git byDefault = SpecLoader.parse(FILE, MINIMAL).git();
    assertThat(byDefault.revalidateAfterRebase()).isTrue();
    assertThat(byDefault.rebaseAttempts()).isEqualTo(3);
    TaskSpec.Git set =
        SpecLoader.parse(
                FILE, MINIMAL + "git: {revalidate_after_rebase: false, rebase_attempts: 1}\n")
            .git();
    assertThat(set.revalidateAfterRebase()).isFalse();
    assertThat(set.rebaseAttempts()).isEqualTo(1);
    assertThat(problem(MINIMAL + "git: {rebase_attempts: 0}\n").getMessage())
        .contains("rebase_attempts");
  }
}
