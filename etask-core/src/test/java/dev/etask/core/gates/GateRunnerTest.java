package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.Project;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gates on small repositories that have the properties real ones have, with real pytest,
 * coverage, ruff and mypy: what etask measures must be what the project's own command sees.
 */
class GateRunnerTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final ProcessRunner RUNNER = new ProcessRunner(Redactor.none());
  private static Workspace shared;
  private static Map<String, String> versions;
  @TempDir Path tmp;

  @BeforeAll
  static void venv() throws Exception {
    shared = Workspace.of(Path.of("target/gate-tests").toAbsolutePath(), null, "gates");
    shared.createFolders();
    Files.createDirectories(shared.repo());
    versions =
        new PythonEnvironment(shared, RUNNER)
            .ensure(
                "python3", new Project(List.of(), List.of(), List.of()), SpecLoader.DEFAULT_TOOLS);
  }

  private Workspace repo(String... files) throws Exception {
    Path repo = tmp.resolve("repo");
    FileTrees.delete(repo);
    for (int i = 0; i < files.length; i += 2) {
      Path f = repo.resolve(files[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, files[i + 1]);
    }
    return shared.on(repo);
  }

  private GateReport measure(Workspace ws, GateSetup setup, String label, List<String> source) {
    return new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, setup)
        .measure(label, source, TIMEOUT);
  }

  /**
   * {@code newTest} measured alone on top of {@code before} (measured as "before" in {@code ws}).
   */
  private static GateReport alone(
      GateRunner gates, Workspace ws, GateReport before, String newTest) {
    return alone(gates, ws, "inc", List.of("lib.py"), before, newTest);
  }

  /** The same as measurement {@code label}, {@code source} the folders coverage looks at. */
  private static GateReport alone(
      GateRunner gates,
      Workspace ws,
      String label,
      List<String> source,
      GateReport before,
      String newTest) {
    return gates.measureNewTests(
        label,
        source,
        List.of(newTest),
        before,
        ws.reports().resolve("before.coverage"),
        ws.repo().toString(),
        1,
        TIMEOUT);
  }

  /** The compiled bytecode files in the shared venv, with their modification times. */
  private static java.util.Set<String> venvBytecode() throws Exception {
    try (var files = Files.walk(shared.venv())) {
      return files
          .filter(f -> f.toString().endsWith(".pyc"))
          .map(
              f -> {
                try {
                  return f + "@" + Files.getLastModifiedTime(f);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .collect(java.util.stream.Collectors.toSet());
    }
  }

  private static final String LIB =
      "def f(x):\n    if x > 0:\n        return 1\n    return 2\n\n\ndef g():\n    return 3\n";

  @Test
  void parallelCoverageIsCombinedNotReadAsZero() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.coverage.run]\nparallel = true\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateReport r = measure(ws, GateSetup.defaults(), "parallel", List.of("lib.py"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.coveragePercent()).isEqualTo(66.67);
    assertThat(r.tests().passed()).isEqualTo(1);
  }

  @Test
  void newTestsAloneCombinedWithTheDataBeforeMeasureWhatTheWholeSuiteMeasures() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.coverage.run]\nparallel = true\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateRunner gates =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, null);
    GateReport before = gates.measure("before", List.of("lib.py"), TIMEOUT);
    assertThat(before.coveragePercent()).isEqualTo(66.67);
    Files.writeString(
        ws.repo().resolve("tests/test_more.py"),
        "import lib\n\nRUNS = [0]\n\n\ndef test_g():\n    assert lib.g() == 3\n\n\n"
            + "def test_sometimes():\n    RUNS[0] += 1\n    assert RUNS[0] % 2 == 1\n");

    GateReport alone =
        gates.measureNewTests(
            "inc",
            List.of("lib.py"),
            List.of("tests/test_more.py"),
            before,
            ws.reports().resolve("before.coverage"),
            ws.repo().toString(),
            4,
            TIMEOUT);
    GateReport whole = gates.measure("whole", List.of("lib.py"), TIMEOUT);
    assertThat(alone.problems()).isEmpty();
    // the first of the four runs is the measurement
    assertThat(alone.tests().passed()).isEqualTo(3).isEqualTo(whole.tests().passed());
    assertThat(alone.tests().failing()).isEmpty();
    assertThat(alone.coveragePercent()).isEqualTo(whole.coveragePercent()).isEqualTo(83.33);
    // the other three are the reruns: nothing runs again to find the flaky test
    TestQuality.Reruns reruns =
        new TestQuality(ws, new PythonEnvironment(ws, RUNNER), RUNNER, null)
            .rerun("inc", List.of("tests/test_more.py"), 3, alone.tests(), TIMEOUT);
    assertThat(reruns.flaky()).containsExactly("tests.test_more::test_sometimes");
    assertThat(ws.reports().resolve("inc-reruns.xml")).doesNotExist();
  }

  @Test
  void newTestsAloneParseOnlyTheFilesTheyReachTheOthersAsTheLastReportFoundThem() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.coverage.run]\nbranch = true\n",
            "lib.py",
            LIB,
            "other.py",
            "def h(x):\n    if x:\n        return 1\n    return 0\n",
            "tests/test_lib.py",
            "import lib\nimport other\n\n\ndef test_f():\n    assert lib.f(1) == 1\n"
                + "    assert other.h(1) == 1\n");
    GateRunner gates =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, null);
    GateReport before = gates.measure("before", List.of("lib.py", "other.py"), TIMEOUT);
    Files.writeString(
        ws.repo().resolve("tests/test_g.py"),
        "import lib\n\n\ndef test_g():\n    assert lib.g() == 3\n");
    GateReport alone =
        alone(gates, ws, "inc", List.of("lib.py", "other.py"), before, "tests/test_g.py");
    // other.py: the same bytes, the same data: as the report before found it; lib.py parsed
    assertThat(reused(ws, "inc")).isEqualTo(1);
    GateReport whole = gates.measure("whole", List.of("lib.py", "other.py"), TIMEOUT);
    assertThat(alone.coveragePercent()).isEqualTo(whole.coveragePercent());
    assertThat(alone.coverage()).isEqualTo(whole.coverage());

    // other.py's bytes changed since the report before (its last line excluded now): parsed again
    Files.writeString(
        ws.repo().resolve("other.py"),
        "def h(x):\n    if x:\n        return 1\n    return 0  # pragma: no cover\n");
    GateReport changed =
        alone(gates, ws, "inc2", List.of("lib.py", "other.py"), before, "tests/test_g.py");
    assertThat(reused(ws, "inc2")).isZero();
    GateReport again = gates.measure("again", List.of("lib.py", "other.py"), TIMEOUT);
    assertThat(changed.coveragePercent())
        .isEqualTo(again.coveragePercent())
        .isNotEqualTo(whole.coveragePercent());
  }

  /** How many files measurement {@code label}'s report took from the report before it. */
  private static int reused(Workspace ws, String label) throws Exception {
    return dev.etask.core.json.Json.MAPPER
        .readTree(ws.output(label).resolve(label + ".coverage.json").toFile())
        .path("meta")
        .path("reused")
        .asInt(-1);
  }

  @Test
  void aNewTestFileTheProjectExcludesFromLintIsNotLintedWhenNamedEither() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.ruff]\nextend-exclude = [\"tests/test_legacy*.py\"]\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateRunner gates =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, null);
    GateReport before = gates.measure("before", List.of("lib.py"), TIMEOUT);
    Files.writeString(
        ws.repo().resolve("tests/test_legacy_g.py"),
        "import os\nimport lib\n\n\ndef test_g():\n    assert lib.g() == 3\n");
    GateReport alone = alone(gates, ws, before, "tests/test_legacy_g.py");
    GateReport whole = gates.measure("whole", List.of("lib.py"), TIMEOUT);
    assertThat(whole.lint()).isEmpty();
    assertThat(alone.lint()).isEqualTo(whole.lint());
  }

  @Test
  void newTestsAloneRunWithTheSuitesOptionsButNotItsPaths() throws Exception {
    Workspace ws =
        repo(
            "lib.py",
            LIB,
            "tests/helpers.py",
            "ONE = 1\n",
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    // importlib mode puts no test folder on sys.path: a test importing a sibling cannot run
    GateSetup importlib =
        new GateSetup(
            GateSetup.Runner.PYTEST,
            List.of("--import-mode", "importlib", "tests/test_lib.py"),
            null,
            null,
            true);
    GateRunner gates =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, importlib);
    GateReport before = gates.measure("before", List.of("lib.py"), TIMEOUT);
    assertThat(before.tests().passed()).isEqualTo(1);
    Files.writeString(
        ws.repo().resolve("tests/test_more.py"),
        "import helpers\nimport lib\n\n\ndef test_g():\n    assert lib.g() == 3 * helpers.ONE\n");
    GateReport alone = alone(gates, ws, before, "tests/test_more.py");
    // as the project's command would: the sibling import fails, and the suite's path
    // (tests/test_lib.py) is not run with the new file
    assertThat(alone.problems()).anyMatch(p -> p.contains("helpers"));
    assertThat(
            TestCommand.options(
                List.of("--import-mode", "importlib", "-k", "tests", "tests/test_lib.py::test_f"),
                ws.repo()))
        .containsExactly("--import-mode", "importlib", "-k", "tests");
  }

  @Test
  void theTasksPythonWorkerMeasuresWhatProcessesOfTheirOwnAndCoverageJsonMeasure()
      throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.coverage.run]\nbranch = true\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    PythonEnvironment alone = new PythonEnvironment(ws, RUNNER);
    PythonEnvironment withWorker = new PythonEnvironment(ws, RUNNER);
    withWorker.useWorker();
    GateRunner own = new GateRunner(ws, alone, RUNNER, versions, null);
    GateRunner worker = new GateRunner(ws, withWorker, RUNNER, versions, null);
    try {
      GateReport before = own.measure("before", List.of("lib.py"), TIMEOUT);
      Path data = ws.reports().resolve("before.coverage");
      String root = ws.repo().toString();
      // etask's report of the data is what coverage's own JSON report says
      Path json = ws.reports().resolve("own.json");
      RUNNER.run(
          dev.etask.core.process.Command.of(
              ws.repo(),
              alone.environment("own"),
              TIMEOUT,
              null,
              alone.python().toString(),
              "-m",
              "coverage",
              "json",
              "--data-file=" + data,
              "-o",
              json.toString()));
      assertThat(before.coverage()).isEqualTo(Reports.coverage(json, ws.repo()));
      assertThat(before.coveragePercent()).isEqualTo(62.5); // 4 of 6 lines, 1 of 2 branches
      Files.writeString(
          ws.repo().resolve("tests/test_more.py"),
          "import lib\n\n\ndef test_g():\n    assert lib.g() == 3\n"
              + "\n\ndef test_f():\n    assert lib.f(0) == 2\n");
      List<String> added = List.of("tests/test_more.py");
      GateReport expected =
          own.measureNewTests("own", List.of("lib.py"), added, before, data, root, 1, TIMEOUT);
      // the first call may find the worker still starting, the later ones find it listening
      for (String label : List.of("w1", "w2", "w3")) {
        GateReport r =
            worker.measureNewTests(label, List.of("lib.py"), added, before, data, root, 1, TIMEOUT);
        assertThat(r.problems()).isEmpty();
        assertThat(r.coverage()).isEqualTo(expected.coverage());
        assertThat(r.tests().passed()).isEqualTo(expected.tests().passed()).isEqualTo(3);
        Thread.sleep(300);
      }
      assertThat(expected.coveragePercent()).isEqualTo(100.0);
      assertThat(Files.readString(ws.logs().resolve("w3-gates.log")))
          .contains("python_worker.py call");
      assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
          .contains("served etask-coverage_data.py measure: exit 0");
      assertThat(worker.measure("all", List.of("lib.py"), TIMEOUT).coverage())
          .isEqualTo(own.measure("all-own", List.of("lib.py"), TIMEOUT).coverage());
    } finally {
      withWorker.stopWorker();
    }
  }

  @Test
  void theWorkersParsedSourcesFollowTheFilesBytesNotTheirSizeOrTime() throws Exception {
    Workspace ws =
        repo(
            "lib.py",
            "def f(x):\n    a = 1\n    return x\n\n\ndef g():\n    return 3\n",
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    PythonEnvironment withWorker = new PythonEnvironment(ws, RUNNER);
    withWorker.useWorker();
    withWorker.startWorker("one");
    GateRunner gates = new GateRunner(ws, withWorker, RUNNER, versions, null);
    try {
      gates.measure("one", List.of("lib.py"), TIMEOUT);
      assertThat(gates.measure("two", List.of("lib.py"), TIMEOUT).coveragePercent())
          .isEqualTo(80.0); // 4 of 5 statements
      // the same size and the same time, other bytes: one statement fewer
      Path lib = ws.repo().resolve("lib.py");
      java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(lib);
      Files.writeString(lib, Files.readString(lib).replace("    a = 1\n", "    # = 1\n"));
      Files.setLastModifiedTime(lib, time);

      GateReport three = gates.measure("three", List.of("lib.py"), TIMEOUT);

      assertThat(three.coveragePercent()).isEqualTo(75.0); // 3 of 4
      assertThat(three.coverage())
          .isEqualTo(measure(ws, GateSetup.defaults(), "own", List.of("lib.py")).coverage());
      assertThat(Files.readString(ws.logs().resolve("python-worker.log")))
          .contains("served etask-coverage_data.py run")
          .contains("served etask-coverage_data.py report");
    } finally {
      withWorker.stopWorker();
    }
  }

  @Test
  void whichNewTestFilesTheSuiteCollectsIsAskedWithoutRunningIt() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.pytest.ini_options]\ntestpaths = [\"testing\"]\n",
            "testing/test_old.py",
            "import os\nos.environ['OLD_IMPORTED'] = '1'\n\n\ndef test_old():\n    assert True\n",
            "testing/test_new.py",
            "def test_new():\n    assert 1 + 1 == 2\n",
            "tests/test_outside.py",
            "def test_outside():\n    assert 1 + 1 == 2\n",
            "testing/helper_new.py",
            "def test_not_a_test_file():\n    assert 1 + 1 == 2\n");
    GateSetup setup =
        new GateSetup(GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, false);
    TestQuality q = new TestQuality(ws, new PythonEnvironment(ws, RUNNER), RUNNER, setup);

    List<String> collected =
        q.collectedBySuite(
            "c",
            List.of("testing/test_new.py", "tests/test_outside.py", "testing/helper_new.py"),
            TIMEOUT);

    // testpaths leaves tests/ out, python_files leaves helper_new.py out
    assertThat(collected).containsExactly("testing/test_new.py");
    // only the paths to the new files were entered: the rest of the suite was not even imported
    assertThat(Files.readString(ws.logs().resolve("c-collect.log"))).doesNotContain("test_old");
  }

  @Test
  void dataRecordedInAnotherCloneIsMovedByTheFirstMeasurementThatReadsIt() throws Exception {
    Workspace first =
        repo(
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateRunner there =
        new GateRunner(first, new PythonEnvironment(first, RUNNER), RUNNER, versions, null);
    GateReport before = there.measure("cached", List.of("lib.py"), TIMEOUT);
    // the second clone finds the first one's data (a baseline from the shared cache), and the
    // first clone is gone
    Path second = tmp.resolve("second");
    FileTrees.copy(first.repo(), second);
    FileTrees.delete(first.repo());
    Workspace ws = shared.on(second);
    Files.writeString(
        second.resolve("tests/test_more.py"),
        "import lib\n\n\ndef test_g():\n    assert lib.g() == 3\n");
    GateRunner here = new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, versions, null);

    GateReport moved =
        here.measureNewTests(
            "moved",
            List.of("lib.py"),
            List.of("tests/test_more.py"),
            before,
            ws.reports().resolve("cached.coverage"),
            first.repo().toString(),
            1,
            TIMEOUT);

    assertThat(moved.problems()).isEmpty();
    assertThat(moved.coveragePercent()).isEqualTo(83.33);
    assertThat(moved.coverage())
        .isEqualTo(here.measure("whole", List.of("lib.py"), TIMEOUT).coverage());
  }

  @Test
  void noCoverageDataIsAGateThatCouldNotRunNeverZero() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.coverage.run]\ndata_file = \"/dev/null/nowhere\"\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateReport r = measure(ws, GateSetup.defaults(), "nodata", List.of("missing_package"));
    assertThat(r.coverage()).isNull();
    assertThat(r.problems()).anyMatch(p -> p.startsWith("coverage"));
  }

  @Test
  void aFailureIsReadWithoutColoursAndSkippedTestsAreCounted() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.pytest.ini_options]\naddopts = \"--color=yes\"\n",
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import pytest\nimport lib\n\n\ndef test_f():\n    assert lib.f(1) == 2\n\n\n"
                + "@pytest.mark.skip(reason=\"later\")\ndef test_g():\n    assert lib.g() == 3\n");
    GateReport r =
        measure(
            ws,
            new GateSetup(GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, false),
            "colours",
            List.of("lib.py"));
    assertThat(r.tests().failing()).containsExactly("tests.test_lib::test_f");
    assertThat(r.tests().skipped()).isEqualTo(1);
    assertThat(r.tests().failureExcerpt()).contains("assert 1 == 2").doesNotContain("\u001B[");
    assertThat(dev.etask.core.report.GateTable.tests(r))
        .isEqualTo("0 passed, 1 failing, 1 skipped");
  }

  @Test
  void aTypeGateTheProjectDoesNotUseIsOffNotAMeasurementThatFailed() throws Exception {
    Workspace ws =
        repo(
            "lib.py",
            LIB + "\n\ndef h(x: int) -> str:\n    return x\n",
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateSetup off =
        new GateSetup(
            GateSetup.Runner.PYTEST,
            List.of(),
            null,
            null,
            true,
            null,
            "the project checks types with ty");
    GateReport r = measure(ws, off, "types-off", List.of("lib.py"));
    assertThat(r.types()).isNull();
    assertThat(r.problems()).noneMatch(p -> p.startsWith("mypy"));
    assertThat(r.durationsMs()).doesNotContainKey("mypy");
    assertThat(
            dev.etask.core.report.GateTable.rows(
                r, r, dev.etask.core.rules.Measurements.compare(r, r, null), List.of(), true))
        .filteredOn(row -> row.gate().startsWith("types"))
        .singleElement()
        .satisfies(row -> assertThat(row.verdict()).isEqualTo("off"));
    dev.etask.core.spec.TaskSpec spec =
        dev.etask.core.spec.SpecLoader.parse(
            java.nio.file.Path.of("/specs/task.yaml"),
            "id: t\nobjective: o\ntarget: {include: [\"lib.py\"]}\ngenerator: {command: x}\n");
    assertThat(off.describe(spec.qualityGates(), new Project(List.of(), List.of(), List.of())))
        .contains("types: off (the project checks types with ty)");
    // on, the same code has its error, and mypy wrote nothing into the venv (it is sealed)
    try (var dirs = Files.walk(shared.venv())) { // as uv leaves it: no bytecode compiled
      for (Path d : dirs.filter(d -> d.endsWith("__pycache__")).toList()) {
        FileTrees.delete(d);
      }
    }
    java.util.Set<String> bytecode = venvBytecode();
    GateReport on = measure(ws, GateSetup.defaults(), "types-on", List.of("lib.py"));
    assertThat(on.types()).hasSize(1);
    assertThat(venvBytecode()).isEqualTo(bytecode);
  }

  @Test
  void aSuiteTheProjectRunsWithXdistIsMeasuredAsASerialRunIs() throws Exception {
    String test =
        "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n\n\n"
            + "def test_g():\n    assert lib.g() == 3\n";
    GateReport serial =
        measure(
            repo("lib.py", LIB, "tests/test_lib.py", test),
            GateSetup.defaults(),
            "serial",
            List.of("lib.py"));
    // the project's addopts run its suite in xdist workers: measured in this process instead
    Workspace xdist = Workspace.of(Path.of("target/gate-tests-xdist").toAbsolutePath(), null, "x");
    xdist.createFolders();
    Files.createDirectories(xdist.repo());
    Map<String, String> tools =
        new PythonEnvironment(xdist, RUNNER)
            .ensure(
                "python3",
                new Project(List.of("pytest-xdist", "pytest-cov"), List.of(), List.of()),
                SpecLoader.DEFAULT_TOOLS);
    Workspace ws =
        xdist.on(
            repo(
                    "pyproject.toml",
                    "[tool.pytest.ini_options]\naddopts = \"-n 2\"\n",
                    "lib.py",
                    LIB,
                    "tests/test_lib.py",
                    test)
                .repo());
    GateSetup setup =
        new GateSetup(GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, true);
    GateReport r =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, tools, setup)
            .measure("xdist", List.of("lib.py"), TIMEOUT);
    assertThat(r.problems()).isEmpty();
    assertThat(r.tests().passed()).isEqualTo(serial.tests().passed()).isEqualTo(2);
    assertThat(r.coveragePercent()).isEqualTo(serial.coveragePercent()).isGreaterThan(50.0);
    // and in two workers, each measured by pytest-cov: the same counts and coverage
    GateSetup workers =
        new GateSetup(
            GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, true, null, null, 2, 0);
    GateReport parallel =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, tools, workers)
            .measure("xdist-2", List.of("lib.py"), TIMEOUT);
    assertThat(parallel.problems()).isEmpty();
    assertThat(parallel.tests().passed()).isEqualTo(2);
    assertThat(parallel.tests().passedIds())
        .containsExactlyInAnyOrderElementsOf(r.tests().passedIds());
    assertThat(parallel.coveragePercent()).isEqualTo(serial.coveragePercent());
    assertThat(parallel.coverage().files()).isEqualTo(serial.coverage().files());
  }

  @Test
  void aSuiteThatCannotBeCollectedIsSaidToHaveStopped() throws Exception {
    Workspace ws =
        repo(
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import not_installed_anywhere\n\n\ndef test_f():\n    pass\n");
    GateReport r = measure(ws, GateSetup.defaults(), "broken", List.of("lib.py"));
    assertThat(r.problems())
        .anyMatch(
            p -> p.startsWith("pytest was interrupted") && p.contains("not_installed_anywhere"));
    assertThat(BaselineCheck.missingModule(r)).contains("not_installed_anywhere");
    Project project = new Project(List.of(), List.of("lib.py"), List.of("tests"));
    assertThat(BaselineCheck.check(r, project, GateSetup.defaults(), "main", "pytest"))
        .get()
        .satisfies(f -> assertThat(f.nextStep()).contains("declare 'not_installed_anywhere'"));
  }

  @Test
  void aTestThatHangsFailsAloneUnderPytestAndTheSuiteGoesOn() throws Exception {
    Workspace timeouts =
        Workspace.of(Path.of("target/gate-tests-timeout").toAbsolutePath(), null, "t");
    timeouts.createFolders();
    Files.createDirectories(timeouts.repo());
    Map<String, String> tools =
        new PythonEnvironment(timeouts, RUNNER)
            .ensure(
                "python3",
                new Project(List.of("pytest-timeout"), List.of(), List.of()),
                SpecLoader.DEFAULT_TOOLS);
    Workspace ws =
        timeouts.on(
            repo(
                    "pyproject.toml",
                    // the project's own (longer) timeout does not decide what the gate means
                    "[tool.pytest.ini_options]\ntimeout = 600\n",
                    "lib.py",
                    LIB,
                    "tests/test_lib.py",
                    "import time\nimport lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n\n\n"
                        + "def test_hangs():\n    time.sleep(120)\n")
                .repo());
    GateSetup setup =
        new GateSetup(
            GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, true, null, null, 0, 2);
    long t0 = System.nanoTime();
    GateReport r =
        new GateRunner(ws, new PythonEnvironment(ws, RUNNER), RUNNER, tools, setup)
            .measure("timeout", List.of("lib.py"), TIMEOUT);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(java.time.Duration.ofSeconds(60));
    assertThat(r.problems()).isEmpty();
    assertThat(r.tests().passed()).isEqualTo(1);
    assertThat(r.tests().failing()).containsExactly("tests.test_lib::test_hangs");
    assertThat(r.tests().failureExcerpt()).contains("Timeout");
  }

  @Test
  void aTestThatHangsFailsAloneUnderUnittest() throws Exception {
    Workspace ws =
        repo(
            "tests/__init__.py",
            "",
            "tests/test_slow.py",
            "import time\nimport unittest\n\n\nclass T(unittest.TestCase):\n"
                + "    def test_hangs(self):\n        time.sleep(120)\n\n"
                + "    def test_ok(self):\n        self.assertTrue(True)\n");
    GateSetup setup =
        new GateSetup(GateSetup.Runner.UNITTEST, List.of(), null, null, false, null, null, 0, 2);
    long t0 = System.nanoTime();
    GateReport r = measure(ws, setup, "unittest-timeout", List.of("tests"));
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(java.time.Duration.ofSeconds(60));
    assertThat(r.problems()).isEmpty();
    assertThat(r.tests().passed()).isEqualTo(1);
    assertThat(r.tests().failing()).containsExactly("tests.test_slow.T::test_hangs");
    assertThat(r.tests().failureExcerpt())
        .contains("the test ran longer than 2s (quality_gates.test_timeout)");
  }

  @Test
  void unittestRunsTheDoctestsLoadTestsAdds() throws Exception {
    Workspace ws =
        repo(
            "kit/__init__.py",
            "",
            "kit/words.py",
            "def up(s):\n    \"\"\"\n    >>> up('a')\n    'A'\n    \"\"\"\n    return s.upper()\n",
            "tests/__init__.py",
            "",
            "tests/test_words.py",
            "import doctest\nimport unittest\nimport kit.words\n\n\n"
                + "def load_tests(loader, tests, ignore):\n    tests.addTests(doctest.DocTestSuite(kit.words))\n    return tests\n\n\n"
                + "class T(unittest.TestCase):\n    def test_up(self):\n        self.assertEqual(kit.words.up('b'), 'B')\n");
    GateSetup unittest = new GateSetup(GateSetup.Runner.UNITTEST, List.of(), null, null, false);
    GateReport r = measure(ws, unittest, "unittest", List.of("kit"));
    assertThat(r.problems()).isEmpty();
    assertThat(r.tests().passed()).isEqualTo(2);
    assertThat(r.tests().passedIds()).contains("kit.words::up", "tests.test_words.T::test_up");
    assertThat(
            measure(ws, GateSetup.defaults(), "pytest-ignores-load-tests", List.of("kit"))
                .tests()
                .passed())
        .as("pytest does not run load_tests: the doctest is invisible to it")
        .isEqualTo(1);
  }

  @Test
  void namedTestsKeepTheIdsOfTheFullRunWhenTheTestsFolderHasItsOwnPytestIni() throws Exception {
    Workspace ws =
        repo(
            "pyproject.toml",
            "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
            "lib.py",
            LIB,
            "tests/pytest.ini",
            "[pytest]\njunit_family = legacy\n",
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 1\n");
    GateSetup setup =
        new GateSetup(GateSetup.Runner.PYTEST, List.of(), "pyproject.toml", null, false);
    GateReport r = measure(ws, setup, "ids", List.of("lib.py"));
    assertThat(r.tests().passedIds()).containsExactly("tests.test_lib::test_f");
    TestQuality.Reruns reruns =
        new TestQuality(ws, new PythonEnvironment(ws, RUNNER), RUNNER, setup)
            .rerun("ids", List.of("tests/test_lib.py"), 1, r.tests(), TIMEOUT);
    assertThat(reruns.uncollected()).isEmpty();
    assertThat(reruns.flaky()).isEmpty();
  }

  @Test
  void configurationAboveTheCloneNeverApplies() throws Exception {
    Workspace ws =
        repo(
            "lib.py",
            LIB,
            "tests/test_lib.py",
            "import lib\n\n\ndef test_f():\n    assert lib.f(1) == 99\n");
    // what a generator could drop beside the clone: a conftest hook that turns failures into passes
    Files.writeString(
        tmp.resolve("conftest.py"),
        "import pytest\n\n\n@pytest.hookimpl(hookwrapper=True)\n"
            + "def pytest_runtest_makereport(item, call):\n    outcome = yield\n    outcome.get_result().outcome = 'passed'\n");
    Files.writeString(tmp.resolve("pytest.ini"), "[pytest]\naddopts = -p no:python\n");
    GateReport r = measure(ws, GateSetup.defaults(), "above", List.of("lib.py"));
    assertThat(r.tests().failing()).containsExactly("tests.test_lib::test_f");
  }

  @Test
  void withoutRuffSettingsOnlyErrorsEverywhereCount() throws Exception {
    Workspace ws = repo("lib.py", "import os\n\n\ndef f():\n    return undefined_name\n");
    Files.writeString(
        tmp.resolve("ruff.toml"), "[lint]\nignore = [\"F821\"]\n"); // above the clone: never read
    GateReport all =
        measure(
            ws,
            new GateSetup(GateSetup.Runner.PYTEST, List.of(), null, null, true),
            "lint-defaults",
            List.of("lib.py"));
    assertThat(all.lint()).extracting(Finding::code).contains("F401", "F821");
    GateReport narrow =
        measure(
            ws,
            new GateSetup(
                GateSetup.Runner.PYTEST, List.of(), null, GateSetup.ERRORS_EVERYWHERE, true),
            "lint-narrow",
            List.of("lib.py"));
    assertThat(narrow.lint()).extracting(Finding::code).containsExactly("F821");
  }
}
