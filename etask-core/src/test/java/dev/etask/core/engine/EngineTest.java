package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.generate.Generator;
import dev.etask.core.json.Json;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.state.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's phases end to end with fakes for Python and the generator (see {@link EngineKit}):
 * real git, real state files, no Python, no network, a second or less each.
 */
class EngineTest {
  @TempDir Path tmp;
  EngineKit kit;

  @BeforeEach
  void kit() throws Exception {
    kit = new EngineKit(tmp);
  }

  private Outcome run() {
    try (Engine engine = kit.open()) {
      return engine.run();
    }
  }

  @Test
  void aRequiredSandboxThatCannotStartStopsTheTaskBeforeAnyWork() throws Exception {
    kit.spec("sandbox: required\n");
    kit.sandboxProbe =
        new dev.etask.core.process.Sandbox.Probe(
            false,
            "bubblewrap (bwrap) is not installed",
            "install bubblewrap (apt-get install bubblewrap)");
    try (Engine engine = kit.open()) {
      assertThatThrownBy(engine::run)
          .isInstanceOf(EtaskException.class)
          .satisfies(
              x ->
                  assertThat(((EtaskException) x).code())
                      .isEqualTo(EtaskException.Code.SANDBOX_UNAVAILABLE))
          .hasMessageContaining("requires the sandbox (sandbox: required)")
          .hasMessageContaining("not installed")
          .satisfies(
              x ->
                  assertThat(((EtaskException) x).nextStep())
                      .contains("apt-get install bubblewrap")
                      .contains("-Detask.sandbox=auto"));
    }
    assertThat(kit.work.resolve("t/repo")).as("nothing was cloned").doesNotExist();
    assertThat(kit.status().at("/failure/code").asText()).isEqualTo("SANDBOX_UNAVAILABLE");
    assertThat(kit.said).noneMatch(l -> l.contains("cloned"));
  }

  @Test
  void aRepositoryUrlThatIsAFileSaysSo() throws Exception {
    Path file = kit.dir.resolve("hostname");
    java.nio.file.Files.writeString(file, "box\n");
    java.nio.file.Files.writeString(
        kit.spec,
        java.nio.file.Files.readString(kit.spec).replace(kit.origin.toString(), file.toString()));
    try (Engine engine = kit.open()) {
      assertThatThrownBy(engine::run)
          .isInstanceOf(EtaskException.class)
          .hasMessageContaining(
              "is " + file + ", which is a file, not a repository or a folder of one");
    }
  }

  @Test
  void autoSaysWhichModeApplies() throws Exception {
    kit.sandboxProbe =
        new dev.etask.core.process.Sandbox.Probe(
            false,
            "bwrap cannot make a sandbox here: setting up uid map: Permission denied",
            "sysctl kernel.apparmor_restrict_unprivileged_userns=0");
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(
                        "sandbox: off (sandbox: auto, the default): bwrap cannot make a sandbox")
                    .contains("run as you"));
    assertThat(kit.said)
        .anySatisfy(l -> assertThat(l).contains("apparmor_restrict_unprivileged_userns=0"));
    assertThat(kit.status().get("sandbox").asText()).startsWith("off (bwrap cannot make");
  }

  @Test
  void acceptedBatchesAreCommittedPushedAndPublished() throws Exception {
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1, "2", 1));
    JsonNode s = kit.status();
    assertThat(s.get("exit_code").asInt()).isZero();
    assertThat(s.get("coverage_before").asDouble()).isEqualTo(50.0);
    assertThat(s.get("coverage_after").asDouble()).isEqualTo(70.0);
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("accept");
    assertThat(s.at("/batches/0/first_try_pass").asBoolean()).isTrue();
    assertThat(s.get("phases_ms").fieldNames())
        .toIterable()
        .contains("prepare", "analyze", "generate", "validate", "commit", "aggregate", "pr");
    assertThat(kit.work.resolve("artifacts/t/pr.json")).exists();
    assertThat(kit.requests).extracting(Generator.Request::attempt).containsExactly(1, 1);
  }

  @Test
  void aFailingTestIsRolledBackAndTheTreeRestored() throws Exception {
    kit.generator =
        r ->
            EngineKit.writes(
                r,
                "tests/test_" + EngineKit.stem(r) + ".py",
                "def test_broken():\n    assert False\n");
    Outcome o = run();
    // nothing accepted: a fatal failure (docs/ARCHITECTURE.md §7), said like one
    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(kit.branch()).isEmpty();
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/reason").asText()).contains("test(s) fail");
    assertThat(s.at("/failure/code").asText()).isEqualTo("NOTHING_ACCEPTED");
    assertThat(s.at("/failure/message").asText())
        .contains("no batch was accepted or kept")
        .contains("rollback — 1 test(s) fail");
    assertThat(kit.work.resolve("artifacts/t/FAILURE.md")).exists();
    assertThat(kit.work.resolve("t/repo/tests/test_b.py")).doesNotExist();
    assertThat(kit.said).anyMatch(l -> l.contains("no pull request"));
  }

  @Test
  void aRejectedAttemptIsRetriedWithTheFailureAsFeedback() throws Exception {
    kit.spec("strategy: { max_attempts_per_batch: 2 }\n");
    kit.generator =
        r ->
            EngineKit.writes(
                r,
                "tests/test_" + EngineKit.stem(r) + ".py",
                r.feedback().isEmpty()
                    ? "def test_first():\n    assert False\n"
                    : "def test_second():\n    assert 1\n");
    Outcome o = run();
    assertThat(o.exitCode()).isZero();
    assertThat(kit.requests).extracting(Generator.Request::attempt).containsExactly(1, 2, 1, 2);
    assertThat(kit.requests.get(1).feedback()).contains("test(s) fail").contains("AssertionError");
    assertThat(kit.status().at("/batches/0/first_try_pass").asBoolean()).isFalse();
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1, "2", 1));
  }

  @Test
  void aGeneratorThatKeepsCrashingAbortsTheTask() throws Exception {
    kit.spec("strategy: { max_generator_failures: 2 }\n");
    kit.generator =
        r -> new Generator.Outcome(false, false, 3, "Traceback: boom", Duration.ofMillis(1));
    Outcome o = run();
    assertThat(o.exitCode()).isEqualTo(1);
    JsonNode s = kit.status();
    assertThat(s.at("/failure/code").asText()).isEqualTo("GENERATOR_FAILED");
    assertThat(s.get("aborted").asText()).contains("2 time(s) in a row");
    assertThat(kit.work.resolve("artifacts/t/FAILURE.md")).exists();
    assertThat(kit.branch()).isEmpty();
  }

  @Test
  void aFatalRunOpensTheFailurePrAndTheNextRunThatDeliversClosesIt() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
                .replace("pr: { provider: local }", "pr: { provider: local, failure_pr: true }")
            + "strategy: { max_generator_failures: 2 }\n");
    Function<Generator.Request, Generator.Outcome> good = kit.generator;
    kit.generator =
        r -> new Generator.Outcome(false, false, 3, "Traceback: boom", Duration.ofMillis(1));
    assertThat(run().exitCode()).isEqualTo(1);
    JsonNode failurePr =
        Json.MAPPER.readTree(kit.work.resolve("artifacts/t/pr-fail.json").toFile());
    assertThat(failurePr.get("state").asText()).isEqualTo("open");
    assertThat(failurePr.get("draft").asBoolean()).isTrue();
    assertThat(failurePr.get("head").asText()).isEqualTo("auto/t-fail");
    assertThat(kit.originBranches()).contains("auto/t-fail");

    kit.generator = good;
    kit.said.clear();
    Outcome o = run();
    // the batch the generator gave up on is tried again and delivered
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isNotEqualTo(1);
    assertThat(kit.branch()).hasSize(1);
    assertThat(kit.said).noneMatch(l -> l.contains("no longer on the origin"));
    JsonNode closed = Json.MAPPER.readTree(kit.work.resolve("artifacts/t/pr-fail.json").toFile());
    assertThat(closed.get("state").asText()).isEqualTo("closed");
    assertThat(closed.get("closing_comment").asText())
        .startsWith("Superseded by " + kit.status().get("pr_url").asText());
    assertThat(kit.originBranches()).contains("auto/t").doesNotContain("auto/t-fail");
    assertThat(kit.said).anyMatch(l -> l.contains("deleted auto/t-fail from the origin"));
  }

  @Test
  void theFailureBranchOfARunOnAnotherMachineIsDeletedToo() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
                .replace("pr: { provider: local }", "pr: { provider: local, failure_pr: true }")
            + "strategy: { max_generator_failures: 2 }\n");
    Function<Generator.Request, Generator.Outcome> good = kit.generator;
    kit.generator =
        r -> new Generator.Outcome(false, false, 3, "Traceback: boom", Duration.ofMillis(1));
    assertThat(run().exitCode()).isEqualTo(1);
    assertThat(kit.originBranches()).contains("auto/t-fail");
    // a fresh workspace (CI): no state remembers the failure commit
    dev.etask.core.workspace.FileTrees.delete(kit.work.resolve("t"));
    kit.generator = good;
    assertThat(run().exitCode()).isZero();
    assertThat(kit.originBranches()).contains("auto/t").doesNotContain("auto/t-fail");
  }

  @Test
  void aMergedPrIsNeitherPushedAgainNorOpenedTwice() throws Exception {
    assertThat(run().exitCode()).isZero();
    Path record = kit.work.resolve("artifacts/t/pr.json");
    com.fasterxml.jackson.databind.node.ObjectNode pr =
        (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(record.toFile());
    pr.put("state", "merged"); // a person merged it
    Json.MAPPER.writeValue(record.toFile(), pr);
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(kit.origin.toFile())) {
      git.branchDelete()
          .setBranchNames("auto/t")
          .setForce(true)
          .call(); // squash-merged and deleted
    }
    kit.said.clear();
    run();
    assertThat(kit.originBranches()).as(String.join("\n", kit.said)).doesNotContain("auto/t");
    assertThat(Json.MAPPER.readTree(record.toFile()).get("state").asText()).isEqualTo("merged");
    assertThat(kit.said).anyMatch(l -> l.contains("was merged: etask neither pushes auto/t again"));
  }

  @Test
  void inTheLifecycleABatchRejectedWhileOthersArePendingIsProgressNotFailure() throws Exception {
    kit.generator =
        r ->
            r.files().get(0).endsWith("b.py")
                ? EngineKit.writes(r, "tests/test_b.py", "def test_broken():\n    assert False\n")
                : EngineKit.writes(r, "tests/test_c.py", "def test_c():\n    assert 3\n");
    try (Engine e = kit.open()) {
      e.prepare();
      e.analyze();
      e.generate();
      e.validate();
      e.commit();
      assertThat(e.aggregate().exitCode()).isNotEqualTo(1);
      assertThat(e.state().fatal()).isNull();
    }
    assertThat(kit.originBranches()).doesNotContain("auto/t-fail");
  }

  @Test
  void batchesThatOnlyAddTestsAreValidatedAloneAndPushedAfterTheWholeSuite() throws Exception {
    try (Engine e = kit.open()) {
      e.prepare();
      e.analyze();
      e.generate();
      e.validate();
      e.commit();
      // committed, not pushed: the whole suite has not run on this tip yet
      assertThat(e.state().batches().get(0).validation()).isEqualTo("incremental");
      assertThat(kit.branch()).isEmpty();
    }
    Outcome o = run(); // a new process: nothing accepted is lost, the rest runs, then delivery
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.incrementalRuns).containsExactly("batch-1", "batch-2");
    assertThat(kit.branch()).hasSize(2);
    assertThat(kit.said).anyMatch(l -> l.startsWith("the whole suite passes on the tip"));
    // the tip's check is the suite alone: ruff and mypy saw everything these batches changed
    assertThat(kit.suiteRuns).containsExactly("tip");
    assertThat(kit.measured).containsExactly("baseline", "tip");
    JsonNode s = kit.status();
    assertThat(s.at("/batches/1/validation").asText()).isEqualTo("incremental");
    assertThat(Files.readString(kit.work.resolve("artifacts/t/pr.md")))
        .contains("2 batch(es) that only add tests were validated by their new tests alone");
  }

  @Test
  void aBatchThatBreaksAnotherTestThroughSharedStateIsDroppedBeforeThePush() throws Exception {
    kit.generator =
        r ->
            r.files().get(0).endsWith("b.py")
                ? EngineKit.writes(
                    r, "tests/test_b.py", "def test_b():\n    assert 1\n# breaks: test_a\n")
                : EngineKit.writes(r, "tests/test_c.py", "def test_c():\n    assert 3\n");
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isEqualTo(2);
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/labels").toString()).contains(Delivery.LABEL);
    assertThat(s.at("/batches/0/reason").asText()).contains("tests.test_a::test_a");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    // only batch 2 reached the origin, picked again onto the base
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("2", 1));
    assertThat(kit.said).anyMatch(l -> l.contains("batch 1/2 dropped before the push"));
    assertThat(kit.said)
        .anyMatch(l -> l.startsWith("bisect: with batch 1/2 the whole suite fails"));
  }

  @Test
  void theBatchesValidatedAloneAreVerifiedBeforeABatchTheWholeSuiteValidates() throws Exception {
    // batch 2 changes a source file: measured with the whole suite, it would be blamed for what
    // batch 1's test breaks unless batch 1 is verified (and taken off) first
    kit.generator =
        r ->
            r.files().get(0).endsWith("b.py")
                ? EngineKit.writes(
                    r, "tests/test_b.py", "def test_b():\n    assert 1\n# breaks: test_a\n")
                : EngineKit.writes(
                    r, r.files().get(0), "def c():\n    return 3\n\n\nCHANGED = True\n");
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isEqualTo(2);
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/labels").toString()).contains(Delivery.LABEL);
    assertThat(s.at("/batches/1/decision").asText()).as(s.toString()).isEqualTo("accept");
    assertThat(s.at("/batches/1/validation").asText()).isEqualTo("full");
    assertThat(kit.said)
        .anyMatch(
            l ->
                l.startsWith(
                    "the whole suite on the tip before batch 2/2 (validated with the whole suite: the batch changes more than new test files)"));
    assertThat(kit.branch()).hasSize(1);
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("2", 1));
  }

  @Test
  void aBatchThatChangesTheDependenciesIsMeasuredInAnEnvironmentBuiltForIt() throws Exception {
    kit.writable = "[\"tests/**\", \"requirements.txt\"]";
    kit.spec("");
    kit.generator =
        r -> {
          boolean b = r.files().get(0).endsWith("b.py");
          EngineKit.write(r.repo().resolve("requirements.txt"), b ? "lib==2\n" : "lib==3\n");
          return EngineKit.writes(
              r,
              "tests/test_" + EngineKit.stem(r) + ".py",
              "def test_x():\n    assert " + (b ? "False" : "1") + "\n");
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isEqualTo(2);
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/labels").toString()).contains("dependencies-changed");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    assertThat(s.at("/batches/1/labels").toString()).contains("dependencies-changed");
    assertThat(s.at("/batches/1/validation").asText()).isEqualTo("full");
    // built at PREPARE; for batch 1 (what the generator wrote: in the sandbox); for the branch
    // again once batch 1 was rolled back (the base's files: as at PREPARE); for batch 2
    assertThat(kit.builds).containsExactly("|false", "lib==2|true", "|false", "lib==3|true");
    assertThat(kit.said).contains("the Python environment is the branch's again");
  }

  @Test
  void debugLinesSayWhatTheRuleBookDecidedFromOnlyWhenAskedFor() throws Exception {
    run();
    assertThat(kit.said).noneMatch(l -> l.startsWith("DEBUG"));
    kit.debug = true;
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t\n", "id: t2\n"));
    run();
    assertThat(kit.said)
        .anyMatch(
            l ->
                l.startsWith("DEBUG rule book inputs for batch 1/2: {")
                    && l.contains("TESTS_FAILED=0.0"));
  }

  @Test
  void aNewTestFileTheSuiteNeverCollectsIsWeakEvenWhenValidatedIncrementally() throws Exception {
    kit.notCollected = "test_c";
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isEqualTo(2);
    JsonNode s = kit.status();
    assertThat(s.at("/batches/1/validation").asText()).isEqualTo("incremental");
    assertThat(s.at("/batches/1/labels").toString()).contains("weak-tests");
    assertThat(s.at("/batches/0/labels").toString()).doesNotContain("weak-tests");
    assertThat(kit.said).anyMatch(l -> l.contains("never collected by the repository's test run"));
  }

  @Test
  void aTestTheMovedBaseBreaksByItselfIsTheBasesAndTheRebasedTipIsPushed() throws Exception {
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            // meanwhile someone pushes to main a change that breaks test_a, a test main has
            moveBase(kit.origin, tmp.resolve("other"), "src/app/d.py", "# breaks: test_a\n");
          }
          return usual.apply(r);
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said).anyMatch(l -> l.contains("made the task's 2 of 2 commit(s) again on it"));
    assertThat(kit.said).anyMatch(l -> l.contains("measuring the moved main first"));
    assertThat(kit.said).noneMatch(l -> l.startsWith("bisect:"));
    assertThat(kit.branch()).hasSize(2); // both batches, on the moved main
    JsonNode s = kit.status();
    String moved = s.get("base_sha").asText();
    assertThat(s.at("/batches/1/rebased_onto").asText()).isEqualTo(moved);
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
  }

  @Test
  void whatFailsOnlyOnceTheMovedBaseMeetsABatchIsBisectedAndThatBatchDropped() throws Exception {
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            // main now breaks batch 1's new test: neither fails alone
            moveBase(kit.origin, tmp.resolve("other"), "src/app/d.py", "# breaks: test_b_one\n");
          }
          return usual.apply(r);
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isEqualTo(2);
    assertThat(kit.said).anyMatch(l -> l.startsWith("bisect:"));
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/labels").toString()).contains(Delivery.LABEL);
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    assertThat(kit.branch()).hasSize(1); // batch 2 delivered on the moved main
  }

  @Test
  void aBaseThatKeepsMovingIsFollowedAtMostRebaseAttemptsTimes() throws Exception {
    kit.spec("git: { rebase_attempts: 2 }\n");
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    int[] moves = {0};
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            moveBase(kit.origin, tmp.resolve("m0"), "src/app/m0.py", "X = 0\n");
          }
          return usual.apply(r);
        };
    // every time the moved base is measured, someone pushes to main again
    kit.onMeasure =
        label -> {
          if (label.equals("moved-base")) {
            moves[0]++;
            moveBase(
                kit.origin, tmp.resolve("m" + moves[0]), "src/app/m" + moves[0] + ".py", "X = 1\n");
          }
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said.stream().filter(l -> l.contains("commit(s) again on it")).count())
        .isEqualTo(2); // followed twice, then pushed what it verified last
    assertThat(moves[0]).isEqualTo(2);
    assertThat(kit.branch()).hasSize(2);
  }

  @Test
  void theMovedBaseIsPutInTheSharedCacheAndTakenFromItByTheNextTaskThatMeetsIt() throws Exception {
    kit.cacheDir = tmp.resolve("cache");
    ObjectId start = originMain();
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    int[] moves = {0};
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            moves[0]++; // the same tree each time: main gains the same file
            moveBase(kit.origin, tmp.resolve("m" + moves[0]), "src/app/d.py", "D = 1\n");
          }
          return usual.apply(r);
        };
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.measured).contains("moved-base");
    // a task starting on the moved main takes it from the cache: the keys are the same
    kit.measured.clear();
    kit.said.clear();
    kit.generator = usual;
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t\n", "id: t2\n"));
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said).anyMatch(l -> l.startsWith("baseline from the cache"));
    assertThat(kit.measured).doesNotContain("baseline");
    // a task that started before main moved to that tree again meets it from the cache
    setOriginMain(start);
    kit.measured.clear();
    kit.said.clear();
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            moves[0]++;
            moveBase(kit.origin, tmp.resolve("m" + moves[0]), "src/app/d.py", "D = 1\n");
          }
          return usual.apply(r);
        };
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t2\n", "id: t3\n"));
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said).anyMatch(l -> l.startsWith("the moved main from the cache"));
    assertThat(kit.measured).doesNotContain("moved-base");
    // both batches delivered, verified against the cached moved main
    JsonNode s = Json.MAPPER.readTree(kit.work.resolve("artifacts/t3/status.json").toFile());
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("accept");
    assertThat(s.at("/batches/1/rebased_onto").asText()).isEqualTo(originMain().name());
  }

  @Test
  void withoutTheSandboxTheMovedBaseIsNeverHandedToOtherTasks() throws Exception {
    kit.cacheDir = tmp.resolve("cache");
    kit.sandboxProbe =
        new dev.etask.core.process.Sandbox.Probe(
            false, "bubblewrap is not installed", "install it");
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            moveBase(kit.origin, tmp.resolve("other"), "src/app/d.py", "D = 1\n");
          }
          return usual.apply(r);
        };
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.measured).contains("baseline", "moved-base");
    // the task's tests ran unconfined before it: nothing of it is handed to other tasks
    assertThat(kit.cacheDir.resolve("baselines")).doesNotExist();
  }

  @Test
  void theMovedBaseIsMeasuredInTheEnvironmentItDeclares() throws Exception {
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            moveBase(kit.origin, tmp.resolve("other"), "requirements.txt", "lib==9\n");
          }
          return usual.apply(r);
        };
    List<String> builtWhenMeasured = new ArrayList<>();
    kit.onMeasure =
        label -> {
          if (label.equals("moved-base")) {
            builtWhenMeasured.add(kit.builds.get(kit.builds.size() - 1));
          }
        };
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(builtWhenMeasured).containsExactly("lib==9|false");
    assertThat(kit.said).contains("the Python environment is the moved main's");
  }

  private ObjectId originMain() throws IOException {
    try (org.eclipse.jgit.lib.Repository r =
        new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
            .setGitDir(kit.origin.toFile())
            .build()) {
      return r.resolve("refs/heads/main");
    }
  }

  private void setOriginMain(ObjectId to) throws IOException {
    try (org.eclipse.jgit.lib.Repository r =
        new org.eclipse.jgit.storage.file.FileRepositoryBuilder()
            .setGitDir(kit.origin.toFile())
            .build()) {
      org.eclipse.jgit.lib.RefUpdate u = r.updateRef("refs/heads/main");
      u.setNewObjectId(to);
      u.setForceUpdate(true);
      assertThat(u.update()).isIn(org.eclipse.jgit.lib.RefUpdate.Result.FORCED);
    }
  }

  @Test
  void acceptedBatchesLongerThanMaxLinesGoOutAsPartsEachPassingOnItsOwn() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
            .replace("pr: { provider: local }", "pr: { provider: local, max_lines: 6 }"));
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.said)
        .as(String.join("\n", kit.said))
        .anyMatch(l -> l.contains("more than pr.max_lines (6): splitting"));
    assertThat(kit.suiteRuns).contains("part-1", "part-2");
    JsonNode s = kit.status();
    assertThat(s.at("/parts/0/branch").asText()).isEqualTo("auto/t-part-1");
    assertThat(s.at("/parts/0/batches").toString()).isEqualTo("[1]");
    assertThat(s.at("/parts/1/batches").toString()).isEqualTo("[2]");
    // each part is the base and its batches alone; together they are the task's branch
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(kit.origin.toFile())) {
      var repo = git.getRepository();
      assertThat(files(repo, "auto/t-part-1"))
          .contains("tests/test_b.py")
          .doesNotContain("tests/test_c.py");
      assertThat(files(repo, "auto/t-part-2"))
          .contains("tests/test_c.py")
          .doesNotContain("tests/test_b.py");
      assertThat(files(repo, "auto/t")).contains("tests/test_b.py", "tests/test_c.py");
      assertThat(repo.resolve("auto/t-part-2~1")).isEqualTo(repo.resolve("main"));
    }
    Path artifacts = kit.work.resolve("artifacts/t");
    String second = Files.readString(artifacts.resolve("pr-part-2.md"));
    assertThat(second)
        .contains("(part 2 of 2)")
        .contains("| 1 | 1 | 6 | ")
        .contains("| 2 | 2 | 6 | this one |");
    assertThat(Files.readString(artifacts.resolve("pr-part-1.md")))
        .contains("| 1 | 1 | 6 | this one |");
    assertThat(artifacts.resolve("pr.json")).doesNotExist(); // no PR of the whole
    // a run on the same tip publishes the same parts: nothing made again, nothing pushed
    ObjectId part1;
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(kit.origin.toFile())) {
      part1 = git.getRepository().resolve("auto/t-part-1");
    }
    kit.said.clear();
    kit.suiteRuns.clear();
    run();
    assertThat(kit.said).noneMatch(l -> l.contains("splitting"));
    assertThat(kit.suiteRuns).doesNotContain("part-1", "part-2");
    try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(kit.origin.toFile())) {
      assertThat(git.getRepository().resolve("auto/t-part-1")).isEqualTo(part1);
    }
    assertThat(kit.status().at("/parts").size()).isEqualTo(2);
  }

  @Test
  void eachPartIsMeasuredInTheEnvironmentItDeclares() throws Exception {
    kit.writable = "[\"tests/**\", \"requirements.txt\"]";
    kit.spec("");
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
            .replace("pr: { provider: local }", "pr: { provider: local, max_lines: 4 }"));
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("b.py")) {
            EngineKit.write(r.repo().resolve("requirements.txt"), "lib==2\n");
          }
          return EngineKit.writes(
              r, "tests/test_" + EngineKit.stem(r) + ".py", "def test_x():\n    assert 1\n");
        };
    Map<String, String> builtFor = new java.util.HashMap<>();
    kit.onMeasure =
        label -> {
          if (label.startsWith("part-")) {
            builtFor.put(label, kit.builds.get(kit.builds.size() - 1));
          }
        };
    run();
    assertThat(kit.status().at("/parts").size()).as(String.join("\n", kit.said)).isEqualTo(2);
    // part 2 is the base and batch 2 alone: the base's requirements, not batch 1's
    assertThat(builtFor).containsEntry("part-1", "lib==2|true").containsEntry("part-2", "|true");
    assertThat(kit.builds.get(kit.builds.size() - 1)).startsWith("lib==2|"); // the tip's again
  }

  @Test
  void partsThatDoNotStandAloneGoOutAsOnePullRequestLabelledLargeDiff() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
            .replace("pr: { provider: local }", "pr: { provider: local, max_lines: 6 }"));
    Function<Generator.Request, Generator.Outcome> usual = kit.generator;
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("c.py")) {
            // batch 2 adds to the file batch 1 made: it does not apply on the base alone
            Path f = r.repo().resolve("tests/test_b.py");
            try {
              Files.writeString(f, Files.readString(f) + "\n\ndef test_c_one():\n    assert 3\n");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return EngineKit.ok();
          }
          return usual.apply(r);
        };
    Outcome o = run();
    assertThat(kit.said)
        .anyMatch(
            l -> l.contains("does not apply on its own") && l.contains("labelled large-diff"));
    JsonNode s = kit.status();
    assertThat(s.get("labels").toString()).contains("large-diff");
    assertThat(s.has("parts")).isFalse();
    assertThat(kit.work.resolve("artifacts/t/pr.md")).exists();
    assertThat(o.exitCode()).isEqualTo(2); // large-diff is a risk label for a custom task
  }

  private static List<String> files(org.eclipse.jgit.lib.Repository repo, String rev)
      throws IOException {
    List<String> out = new ArrayList<>();
    try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
        org.eclipse.jgit.treewalk.TreeWalk tw = new org.eclipse.jgit.treewalk.TreeWalk(repo)) {
      tw.addTree(walk.parseCommit(repo.resolve(rev)).getTree());
      tw.setRecursive(true);
      while (tw.next()) {
        out.add(tw.getPathString());
      }
    }
    return out;
  }

  /** A commit on the origin's main made elsewhere (another clone in {@code scratch}). */
  private static void moveBase(Path origin, Path scratch, String file, String content) {
    org.eclipse.jgit.lib.PersonIdent someone =
        new org.eclipse.jgit.lib.PersonIdent("someone", "someone@example.com");
    try (org.eclipse.jgit.api.Git git =
        org.eclipse.jgit.api.Git.cloneRepository()
            .setURI(origin.toUri().toString())
            .setDirectory(scratch.toFile())
            .setBranch("main")
            .call()) {
      Path f = scratch.resolve(file);
      Files.createDirectories(f.getParent());
      Files.writeString(f, content);
      git.add().addFilepattern(file).call();
      git.commit()
          .setMessage("base moves")
          .setAuthor(someone)
          .setCommitter(someone)
          .setSign(false)
          .call();
      git.push().call();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aWholeSuiteThatCannotRunOnTheTipBlamesNoBatchAndPushesNothing() throws Exception {
    kit.suiteCannotRun = true;
    run();
    assertThat(kit.said)
        .anyMatch(l -> l.startsWith("WARN the whole suite could not run on the tip"));
    assertThat(kit.said).noneMatch(l -> l.startsWith("bisect:"));
    assertThat(kit.branch()).isEmpty();
    JsonNode s = kit.status();
    assertThat(s.get("exit_code").asInt()).isEqualTo(2);
    assertThat(s.get("labels").toString()).contains(Pusher.NOT_DELIVERED);
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("accept");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    // the next run, with a suite that runs, delivers both
    kit.suiteCannotRun = false;
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1, "2", 1));
    assertThat(kit.status().get("labels").toString()).doesNotContain(Pusher.NOT_DELIVERED);
  }

  @Test
  void newTestsMypyChecksAreValidatedInFull() {
    assertThat(BatchShape.typeChecked(List.of("tests/test_x.py"), List.of("src", "tests")))
        .isTrue();
    assertThat(BatchShape.typeChecked(List.of("tests/test_x.py"), List.of("."))).isTrue();
    assertThat(BatchShape.typeChecked(List.of("tests/test_x.py"), List.of("src/", "tests/")))
        .isTrue();
    assertThat(BatchShape.typeChecked(List.of("tests/test_x.py"), List.of("src"))).isFalse();
    assertThat(BatchShape.typeChecked(List.of("tests_extra/t.py"), List.of("tests"))).isFalse();
  }

  @Test
  void fullValidationRunsTheWholeSuiteForEveryBatch() throws Exception {
    kit.spec("quality_gates: { validation: full }\n");
    assertThat(run().exitCode()).isZero();
    assertThat(kit.incrementalRuns).isEmpty();
    assertThat(kit.status().at("/batches/0/validation").asText()).isEqualTo("full");
  }

  @Test
  void aBatchThatChangesSourceOrAnExistingTestIsValidatedInFull() throws Exception {
    kit.generator =
        r -> {
          if (r.files().get(0).endsWith("b.py")) {
            // an existing test file changed: other tests may depend on what it defines
            EngineKit.write(
                r.repo().resolve("tests/test_a.py"),
                "def test_a():\n    assert 1\n\n\ndef test_a_again():\n    assert 2\n");
            return EngineKit.writes(r, "tests/test_b.py", "def test_b():\n    assert 1\n");
          }
          EngineKit.write(r.repo().resolve("src/app/c.py"), "def c():\n    return 33\n");
          return EngineKit.writes(r, "tests/test_c.py", "def test_c():\n    assert 3\n");
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.incrementalRuns).isEmpty();
    assertThat(kit.status().at("/batches/0/validation").asText()).isEqualTo("full");
    assertThat(kit.status().at("/batches/1/validation").asText()).isEqualTo("full");
    // every batch was checked by the whole suite: nothing runs again before the push
    assertThat(kit.suiteRuns).isEmpty();
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1, "2", 1));
  }

  @Test
  void changesOutsideTheAllowlistRollTheBatchBack() throws Exception {
    kit.generator =
        r -> {
          EngineKit.write(r.repo().resolve("README.md"), "changed\n");
          return EngineKit.writes(r, "tests/test_x.py", "def test_x():\n    assert 1\n");
        };
    run();
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/reason").asText())
        .contains("outside the allowlist")
        .contains("README.md");
    assertThat(Files.readString(kit.work.resolve("t/repo/README.md"))).isEqualTo("demo\n");
  }

  @Test
  void aGeneratorsNestedGitFolderOrSpecialFilesRollItsBatchBack() throws Exception {
    kit.generator =
        r -> {
          if (EngineKit.stem(r).equals("b")) { // a git folder of its own, under tests/
            EngineKit.write(r.repo().resolve("tests/sub/.git/config"), "[core]\n");
          } else { // a named pipe where a test file would be: reading it would wait forever
            try {
              Files.createDirectories(r.repo().resolve("tests"));
              new ProcessBuilder("mkfifo", r.repo().resolve("tests/test_pipe.py").toString())
                  .start()
                  .waitFor();
            } catch (java.io.IOException | InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          return EngineKit.writes(
              r, "tests/test_" + EngineKit.stem(r) + ".py", "def test_x():\n    assert 1\n");
        };
    Outcome o = run();
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText())
        .as(String.join("\n", kit.said))
        .isEqualTo("rollback");
    assertThat(s.at("/batches/0/reason").asText())
        .contains("git folder")
        .contains("tests/sub/.git/config");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/1/reason").asText())
        .contains("special files")
        .contains("tests/test_pipe.py");
    assertThat(o.exitCode()).isEqualTo(1); // nothing accepted
    assertThat(kit.work.resolve("t/repo/tests/sub")).doesNotExist();
    assertThat(kit.work.resolve("t/repo/tests/test_pipe.py")).doesNotExist();
  }

  @Test
  void aChainOfLinksThatClimbsOutAndAGitAttributesFileAreRefused() throws Exception {
    kit.generator =
        r -> {
          Path x = r.repo().resolve("tests/x");
          try {
            Files.createDirectories(x);
            if (EngineKit.stem(r).equals("b")) {
              // each link looks like a folder of tests/, the last one leads out of the clone
              Files.createSymbolicLink(x.resolve("l0"), Path.of("../.."));
              for (int i = 1; i < 4; i++) {
                Files.createSymbolicLink(x.resolve("l" + i), Path.of("l" + (i - 1) + "/.."));
              }
              Files.createSymbolicLink(x.resolve("passwd"), Path.of("l3/etc/passwd"));
            } else { // how git checks the test out would differ from what the gates ran
              EngineKit.write(r.repo().resolve("tests/.gitattributes"), "*.py ident eol=crlf\n");
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return EngineKit.writes(
              r, "tests/test_" + EngineKit.stem(r) + ".py", "def test_x():\n    assert 1\n");
        };
    run();
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText())
        .as(String.join("\n", kit.said))
        .isEqualTo("rollback");
    assertThat(s.at("/batches/0/reason").asText())
        .contains("tests/x/l3")
        .contains("outside the clone");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/1/reason").asText())
        .contains("tests/.gitattributes")
        .contains("git's checkout");
  }

  @Test
  void aGeneratorThatWritesIntoTheVenvIsRolledBackOnALaterBatchToo() throws Exception {
    Path site = kit.work.resolve("t/venv/lib/python3.11/site-packages");
    kit.generator =
        r -> {
          if (EngineKit.stem(r).equals("c")) { // the second batch: sealed by the first's seal
            EngineKit.write(site.resolve("zz_cheat.pth"), "import cheat\n");
          }
          return EngineKit.writes(
              r, "tests/test_" + EngineKit.stem(r) + ".py", "def test_x():\n    assert 1\n");
        };
    run();
    JsonNode s = kit.status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("accept");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/1/reason").asText())
        .contains("the generator changed etask's own files")
        .contains("venv/lib/python3.11/site-packages/zz_cheat.pth (added)");
  }

  @Test
  void whatATestWroteIntoTheVenvBeforeTheGeneratorStartedIsNotTheGeneratorsDoing()
      throws Exception {
    Path site = kit.work.resolve("t/venv/lib/python3.11/site-packages");
    kit.onPhase =
        phase -> {
          if (phase.equals("VALIDATE") && !Files.exists(site)) { // the first batch's gates
            EngineKit.write(site.resolve("written_by_a_test.txt"), "x\n");
          }
        };
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.status().at("/batches/1/decision").asText()).isEqualTo("accept");
    assertThat(kit.said)
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("WARN the gates' virtualenv changed after the last generator")
                    .contains("written_by_a_test.txt (added)")
                    .endsWith("it is rebuilt"));
  }

  @Test
  void theCommitLimitLeavesAPartialResult() throws Exception {
    kit.spec("limits: { max_commits: 1 }\n");
    Outcome o = run();
    assertThat(o.exitCode()).isEqualTo(2);
    assertThat(o.partial()).isTrue();
    assertThat(o.partialRatio()).isEqualTo(0.5);
    assertThat(kit.status().get("limit_hit").asText()).contains("max_commits (1)");
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "PREPARE",
        "ANALYZE",
        "GENERATE",
        "VALIDATE",
        "COMMIT",
        "DELIVER",
        "AGGREGATE",
        "PR"
      })
  void aRunInterruptedInAnyPhaseResumesWithOneCommitPerBatch(String phase) throws Exception {
    kit.interruptIn = phase;
    try (Engine engine = kit.open()) {
      engine.run();
    } catch (RuntimeException e) {
      // what the main thread does after the interrupt hook froze the state is lost anyway
    }
    JsonNode frozen = kit.status();
    assertThat(frozen.get("limit_hit").asText()).contains("interrupted");
    Outcome o = run();
    assertThat(o.exitCode()).as(phase + "\n" + String.join("\n", kit.said)).isZero();
    assertThat(kit.batchTrailers()).as(phase).isEqualTo(Map.of("1", 1, "2", 1));
    assertThat(kit.status().get("limit_hit").isNull()).isTrue();
  }

  @Test
  void goalByGoalInSeparateProcessesEqualsOneRun() throws Exception {
    for (int pass = 0; pass < 2; pass++) {
      try (Engine e = kit.open()) {
        e.prepare();
      }
      try (Engine e = kit.open()) {
        e.analyze();
      }
      try (Engine e = kit.open()) {
        e.generate();
      }
      try (Engine e = kit.open()) {
        e.validate();
      }
      try (Engine e = kit.open()) {
        e.commit();
      }
      try (Engine e = kit.open()) {
        e.aggregate();
      }
      try (Engine e = kit.open()) {
        e.publish();
      }
    }
    assertThat(kit.batchTrailers()).isEqualTo(Map.of("1", 1, "2", 1));
    assertThat(kit.status().get("exit_code").asInt()).isZero();
    assertThat(kit.state().get("runs").asInt()).isEqualTo(14);
    assertThat(Files.readString(kit.work.resolve("artifacts/t/pr.json")))
        .contains("\"updates\" : 1");
  }

  @Test
  void theValuesOfTheVariablesTheGatesGetAreOfTheBaselinesKey() throws Exception {
    kit.cacheDir = tmp.resolve("cache");
    kit.spec("python: { env: [ETASK_KIT_MODE] }\n");
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put("ETASK_KIT_MODE", "strict");
    kit.callerEnv = env;
    assertThat(run().exitCode()).isZero();
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t\n", "id: t2\n"));
    env.put("ETASK_KIT_MODE", "lenient"); // the tests may measure otherwise: measured again
    kit.measured.clear();
    assertThat(run().exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.measured).contains("baseline");
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t2\n", "id: t3\n"));
    kit.measured.clear();
    assertThat(run().exitCode()).isZero();
    assertThat(kit.measured).doesNotContain("baseline");
  }

  @Test
  void aSecondTaskOnTheSameBaseTakesTheBaselineFromTheSharedCache() throws Exception {
    kit.cacheDir = tmp.resolve("cache");
    assertThat(run().exitCode()).isZero();
    assertThat(kit.measured).contains("baseline");
    kit.measured.clear();
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t\n", "id: t2\n"));
    Outcome second = run();
    assertThat(second.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(kit.measured).doesNotContain("baseline");
    assertThat(kit.said).anyMatch(l -> l.startsWith("baseline from the cache"));
    // the first task's coverage data: the second task's first measurement moves it to its clone
    assertThat(kit.dataRoots)
        .containsExactly(
            kit.work.resolve("t/repo").toString(), // the first task's two batches
            kit.work.resolve("t/repo").toString(),
            kit.work.resolve("t/repo").toString(), // the second task's, on the cached baseline
            kit.work.resolve("t2/repo").toString());
    JsonNode s = Json.MAPPER.readTree(kit.work.resolve("artifacts/t2/status.json").toFile());
    assertThat(s.get("coverage_before").asDouble()).isEqualTo(50.0);
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
  }

  @Test
  void aDamagedCacheEntryIsMeasuredAgainAndReplaced() throws Exception {
    kit.cacheDir = tmp.resolve("cache");
    run();
    Path entry;
    try (var entries = Files.list(kit.cacheDir.resolve("baselines"))) {
      entry = entries.filter(p -> !p.getFileName().toString().startsWith(".")).findFirst().get();
    }
    Files.writeString(entry.resolve("report.json"), "{\"tests\": {\"passed\": 9999}}");
    kit.measured.clear();
    Files.writeString(kit.spec, Files.readString(kit.spec).replace("id: t\n", "id: t2\n"));
    assertThat(run().exitCode()).isZero();
    assertThat(kit.measured).contains("baseline");
    assertThat(kit.said).anyMatch(l -> l.contains("ignored a damaged cache entry"));
    assertThat(Files.readString(entry.resolve("report.json"))).doesNotContain("9999");
  }

  @Test
  void aGoalRunTooEarlySaysWhichGoalComesFirst() throws Exception {
    try (Engine e = kit.open()) {
      assertThatThrownBy(e::analyze)
          .isInstanceOf(EtaskException.class)
          .hasMessageContaining("not prepared yet")
          .satisfies(
              x ->
                  assertThat(((EtaskException) x).code())
                      .isEqualTo(EtaskException.Code.NOT_PREPARED))
          .satisfies(x -> assertThat(((EtaskException) x).nextStep()).contains("etask:prepare"));
    }
  }

  @Test
  void aDryRunComputesEverythingButPushesAndPublishesNothing() throws Exception {
    try (Engine engine = kit.open(true)) {
      engine.run();
    }
    assertThat(kit.branch()).isEmpty();
    assertThat(kit.work.resolve("artifacts/t/pr.json")).doesNotExist();
    assertThat(kit.work.resolve("artifacts/t/pr.md")).exists();
    assertThat(kit.said).anyMatch(l -> l.startsWith("dry run: would push auto/t"));
    assertThat(kit.status().at("/batches/1/decision").asText()).isEqualTo("accept");
  }

  @Test
  void aChangedSpecIsRefusedWithTheWayToStartOver() throws Exception {
    run();
    kit.spec("limits: { max_commits: 7 }\n");
    assertThatThrownBy(kit::open)
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("changed since task 't'")
        .satisfies(x -> assertThat(((EtaskException) x).nextStep()).contains("etask:clean"));
    // the same spec written differently (key order, comments) is the same spec
    kit.spec("");
    String same = Files.readString(kit.spec).replace("id: t\n", "") + "id: t   # the task\n";
    Files.writeString(kit.spec, same);
    try (Engine e = kit.open()) {
      assertThat(e.state().runs()).isEqualTo(2);
    }
  }

  @Test
  void aGeneratorMovingHeadIsRolledBackAndItsCommitNeverStays() throws Exception {
    kit.generator =
        r -> {
          EngineKit.write(
              r.repo().resolve("tests/test_sneaky.py"), "def test_s():\n    assert 1\n");
          try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(r.repo().toFile())) {
            git.add().addFilepattern(".").call();
            git.commit()
                .setMessage("the generator commits")
                .setAuthor("g", "g@example.com")
                .setCommitter("g", "g@example.com")
                .setSign(false)
                .call();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          return EngineKit.ok();
        };
    run();
    assertThat(kit.status().at("/batches/0/reason").asText()).contains("HEAD moved");
    assertThat(kit.branch()).isEmpty();
  }

  @Test
  void aGeneratorLeavingAMergeInProgressIsRolledBackAndNoCommitTakesItsParent() throws Exception {
    kit.generator =
        r -> {
          EngineKit.write(
              r.repo().resolve(".git/MERGE_HEAD"), "0123456789012345678901234567890123456789\n");
          return EngineKit.writes(
              r, "tests/test_" + EngineKit.stem(r) + ".py", "def test_m():\n    assert 1\n");
        };
    run();
    assertThat(kit.status().at("/batches/0/reason").asText())
        .contains("control files")
        .contains("MERGE_HEAD");
    assertThat(kit.work.resolve("t/repo/.git/MERGE_HEAD")).doesNotExist();
  }

  @Test
  void secretsInTheSpecNeverReachTheStateOrTheOutputs() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
            .replace("repository: { url: \"", "repository: { url: \"file://u:spec-canary-123@"));
    run();
    for (Path f :
        List.of(
            kit.work.resolve("t/state.json"),
            kit.work.resolve("artifacts/t/status.json"),
            kit.work.resolve("artifacts/t/pr.md"),
            kit.work.resolve("artifacts/t/pr.json"))) {
      assertThat(Files.readString(f)).as(f.toString()).doesNotContain("spec-canary-123");
    }
  }
}
