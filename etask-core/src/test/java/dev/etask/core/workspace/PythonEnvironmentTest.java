package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etask.core.gates.GateSetup;
import dev.etask.core.process.Command;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Project detection on the layouts users have, and building the venv with pip and with uv (real
 * Python).
 */
class PythonEnvironmentTest {
  private static final TaskSpec.Python DETECT =
      new TaskSpec.Python("python3", null, Map.of(), null, List.of());
  private final ProcessRunner runner = new ProcessRunner(Redactor.none());
  @TempDir Path tmp;

  private Project detect(String... files) throws Exception {
    Path repo = tmp.resolve("repo");
    FileTrees.delete(repo);
    for (int i = 0; i < files.length; i += 2) {
      Path f = repo.resolve(files[i]);
      Files.createDirectories(f.getParent());
      Files.writeString(f, files[i + 1]);
    }
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    return new PythonEnvironment(ws, runner).detect("python3", DETECT);
  }

  @Test
  void aHelperChangedOnDiskIsWrittenAgainAndEveryGateProcessGetsAFreshBytecodePrefix()
      throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner);
    Path helper = env.script("coverage_data.py");
    String shipped = Files.readString(helper);
    assertThat(helper.getParent()).isEqualTo(ws.helpers());
    Files.writeString(helper, "print('forged by a test')\n"); // a test between two calls
    assertThat(Files.readString(env.script("coverage_data.py"))).isEqualTo(shipped);

    Path first = Path.of(env.environment("batch-1").get("PYTHONPYCACHEPREFIX"));
    Files.writeString(first.resolve("planted.pyc"), "x");
    Path second = Path.of(env.environment("batch-1").get("PYTHONPYCACHEPREFIX"));
    assertThat(second).isNotEqualTo(first).startsWith(ws.output("batch-1")).isEmptyDirectory();
    assertThat(env.environment("batch-1"))
        .containsEntry("COVERAGE_FILE", ws.output("batch-1").resolve(".coverage").toString());
  }

  @Test
  void srcLayoutWithTestExtrasAndDependencyGroups() throws Exception {
    Project p =
        detect(
            "pyproject.toml",
                """
            [project]
            name = "calc"
            version = "1"
            [project.optional-dependencies]
            test = ["pytest"]
            docs = ["sphinx"]
            [dependency-groups]
            lint = ["ruff"]
            dev = ["typing-extensions", {include-group = "lint"}]
            """,
            "src/calc/__init__.py", "",
            "tests/test_calc.py", "");
    assertThat(p.install()).containsExactly("-e", ".[test]", "typing-extensions", "ruff");
    assertThat(p.source()).containsExactly("src");
    assertThat(p.tests()).containsExactly("tests");
  }

  @Test
  void theProjectsToxEnvironmentDecidesWhichGroupsAndVariablesTheGatesGet() throws Exception {
    // shaped like tox-dev/filelock: dev includes docs, which needs a newer Python; tox installs
    // only the test group and puts a local coverage plugin on the path
    Project p =
        detect(
            "pyproject.toml",
                """
            [project]
            name = "lock"
            version = "1"
            [dependency-groups]
            test = ["pytest-timeout"]
            docs = ["sphinx>=99; python_version >= '3.12'"]
            dev = [{include-group = "test"}, {include-group = "docs"}]
            [tool.coverage.run]
            plugins = ["coverage_pragmas"]
            """,
            "tox.toml",
                """
            [env_run_base]
            dependency_groups = ["test"]
            set_env = { PYTHONPATH = "{tox_root}/tasks", PYTEST_ADDOPTS = "-p no:cov" }
            """,
            "tasks/coverage_pragmas.py", "def coverage_init(reg, options):\n    pass\n",
            "src/lock/__init__.py", "",
            "tests/test_lock.py", "");
    assertThat(p.install()).containsExactly("-e", ".", "pytest-timeout");
    assertThat(p.installNotes())
        .containsExactly("dependency groups test (tox.toml [env_run_base])");
    // what changes how a gate runs is never the project's to set
    assertThat(p.testEnv()).containsExactly(Map.entry("PYTHONPATH", "{repo}/tasks"));
    assertThat(p.testEnvSource()).isEqualTo("tox.toml [env_run_base]");
    assertThat(p.coveragePlugins())
        .containsExactly(Map.entry("coverage_pragmas", "tasks/coverage_pragmas.py"));
  }

  @Test
  void withoutATestCommandTheGroupsNamedForTestsComeBeforeDev() throws Exception {
    Project groups =
        detect(
            "pyproject.toml",
                """
            [project]
            name = "x"
            version = "1"
            [project.optional-dependencies]
            dev = ["black"]
            testing = ["hypothesis"]
            [dependency-groups]
            tests = ["pytest-mock"]
            dev = ["sphinx"]
            """,
            "x.py", "");
    assertThat(groups.install()).containsExactly("-e", ".[testing]", "pytest-mock");
    // tox.ini's extras, deps and setenv; nox's extras when there is no tox
    Project tox =
        detect(
            "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1\"\n"
                    + "[project.optional-dependencies]\ntest = [\"a\"]\nci = [\"b\"]\n",
            "tox.ini",
                "[testenv]\nextras = ci\ndeps =\n    pytest>=7,<9\n    py38: mock\n"
                    + "setenv =\n    DATA = {toxinidir}/data\n    COVERAGE_CORE = sysmon\n",
            "x.py", "");
    assertThat(tox.install()).containsExactly("-e", ".[ci]", "pytest>=7,<9");
    assertThat(tox.testEnv()).containsExactly(Map.entry("DATA", "{repo}/data"));
    Project nox =
        detect(
            "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1\"\n"
                    + "[project.optional-dependencies]\ntests = [\"a\"]\nfull = [\"b\"]\n",
            "noxfile.py",
                "import nox\n\n@nox.session\ndef tests(session):\n"
                    + "    session.install(\"-e\", \".[full]\")\n",
            "x.py", "");
    assertThat(nox.install()).containsExactly("-e", ".[full]");
    assertThat(nox.installNotes()).containsExactly("extras full (noxfile.py)");
  }

  @Test
  void theMypyHooksDependenciesAndAnotherTypeChecker() throws Exception {
    Project hook =
        detect(
            ".pre-commit-config.yaml",
                """
            repos:
              - repo: https://github.com/pre-commit/mirrors-mypy
                rev: v1.11.2
                hooks:
                  - id: mypy
                    additional_dependencies:
                      - types-toml
                      - "pytest>=8"
              - repo: https://github.com/astral-sh/ruff-pre-commit
                rev: v0.6.0
                hooks:
                  - id: ruff
            """,
            "x.py", "");
    assertThat(hook.typeDependencies()).containsExactly("types-toml", "pytest>=8");
    assertThat(hook.typeChecker()).isNull();
    assertThat(hook.tools()).containsEntry("mypy", "==1.11.2");
    Project ty = detect("ty.toml", "[rules]\n", "x.py", "");
    assertThat(ty.typeChecker()).isEqualTo("ty (ty.toml)");
    Project both =
        detect(
            "pyproject.toml",
            "[tool.pyright]\nstrict = []\n[tool.mypy]\nstrict = true\n",
            "x.py",
            "");
    assertThat(both.typeChecker()).isNull(); // mypy configured: mypy is the gate
  }

  @Test
  void theGatesGetTheProjectsVariablesAndPythonEnvsValuesWithTheCloneForRepo() throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    PythonEnvironment env =
        new PythonEnvironment(
            ws,
            runner,
            Environments.of(ws.home()),
            List.of("DATA={repo}/fixtures", "PYTHONPATH={repo}/tools"),
            List.of(),
            null);
    env.useTestEnvironment(Map.of("PYTHONPATH", "{repo}/tasks", "MODE", "ci"));
    Map<String, String> e = env.testEnvironment("m");
    assertThat(e)
        .containsEntry("DATA", ws.repo() + "/fixtures")
        .containsEntry("PYTHONPATH", ws.repo() + "/tools") // python.env says last
        .containsEntry("MODE", "ci");
    // a tool (mypy) and etask's own pre-pass never get the project's variables
    assertThat(env.environment("m")).doesNotContainKey("MODE");
  }

  @Test
  void flatLayoutWithRequirementsFilesAndModules() throws Exception {
    Project p =
        detect(
            "requirements.txt", "requests\n",
            "requirements-dev.txt", "pytest\n",
            "requirements-docs.txt", "sphinx\n",
            "setup.cfg", "[tool:pytest]\n",
            "textutil.py", "",
            "setup.py", "",
            "conftest.py", "",
            "test/test_x.py", "");
    assertThat(p.install())
        .containsExactly("-r", "requirements.txt", "-r", "requirements-dev.txt", "-e", ".");
    assertThat(p.source()).containsExactly("textutil.py");
    assertThat(p.tests()).containsExactly("test");
  }

  @Test
  void topLevelPackagesAndBuildSystemOnly() throws Exception {
    Project p =
        detect(
            "pyproject.toml",
                "[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
            "app/__init__.py", "",
            "docs/__init__.py", "",
            "tests/__init__.py", "");
    assertThat(p.install()).containsExactly("-e", ".");
    assertThat(p.source()).containsExactly("app");
  }

  @Test
  void setupCfgAloneIsNotInstallable() throws Exception {
    assertThat(detect("setup.cfg", "[metadata]\nname = x\n", "x.py", "").install()).isEmpty();
  }

  @Test
  void buildsWithPipAndReusesTheVenv() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("requirements.txt"), "typing-extensions>=4.0\n");
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner, List.of(), null);
    Project project = new Project(List.of("-r", "requirements.txt"), List.of(), List.of());
    Map<String, String> versions = env.ensure("python3", project, Map.of("pytest", ">=8,<10"));
    assertThat(versions.get("pytest")).matches("(8|9)\\..*");
    String log = Files.readString(ws.logs().resolve("prepare-env.log"));
    assertThat(log).contains("-m pip install");
    Path marker = ws.venv().resolve(".etask-env");
    long before = Files.getLastModifiedTime(marker).toMillis();
    assertThat(env.ensure("python3", project, Map.of("pytest", ">=8,<10"))).isEqualTo(versions);
    assertThat(Files.getLastModifiedTime(marker).toMillis()).isEqualTo(before);
    assertThat(Files.readString(ws.logs().resolve("prepare-env.log")))
        .isEqualTo(
            log
                + "[etask] tool versions (the venv's package metadata): {pytest="
                + versions.get("pytest")
                + "}\n");
    // what the venv's own Python says about every installed package
    ProcessRunner.Result listed =
        runner.run(
            Command.of(
                repo,
                env.environment("test"),
                Duration.ofMinutes(1),
                null,
                env.python().toString(),
                "-c",
                "import importlib.metadata as m, re\n"
                    + "names = {re.sub(r'[-_.]+', '-', d.metadata['Name']).lower()"
                    + " for d in m.distributions()}\n"
                    + "for n in sorted(names):\n"
                    + "    print(n, m.version(n))\n"));
    StringBuilder read = new StringBuilder();
    InstalledPackages.versions(ws.venv())
        .forEach((k, v) -> read.append(k).append(' ').append(v).append('\n'));
    assertThat(read.toString()).isEqualTo(listed.output()).contains("typing-extensions ");
  }

  @Test
  void theLockFilesVersionsAreInstalledAndALockThatCannotInstallIsSaid() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("requirements.txt"), "typing-extensions>=4.0\n");
    Files.writeString(
        repo.resolve("poetry.lock"),
        "[[package]]\nname = \"typing_extensions\"\nversion = \"4.7.1\"\n"
            + "[[package]]\nname = \"pytest\"\nversion = \"7.0.0\"\n");
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner, List.of(), null);
    Project project = env.detect("python3", DETECT);
    // the gate tools keep their own versions
    assertThat(project.locked()).containsExactly(Map.entry("typing-extensions", "4.7.1"));
    assertThat(project.lockFile()).isEqualTo("poetry.lock");
    env.ensure("python3", project, Map.of());
    assertThat(env.notes()).isEmpty();
    assertThat(installed(ws, "typing_extensions")).isEqualTo("4.7.1");

    Files.writeString(
        repo.resolve("poetry.lock"),
        "[[package]]\nname = \"typing-extensions\"\nversion = \"4.999.0\"\n");
    Project impossible = env.detect("python3", DETECT);
    env.ensure("python3", impossible, Map.of());
    assertThat(env.notes())
        .singleElement()
        .asString()
        .contains("the versions poetry.lock pins do not install here")
        .contains("installed the requirements without them");
    assertThat(installed(ws, "typing_extensions")).isNotEqualTo("4.7.1");
  }

  private String installed(Workspace ws, String dist) {
    ProcessRunner.Result r =
        runner.run(
            new Command(
                List.of(
                    ws.venv().resolve("bin/python").toString(),
                    "-c",
                    "import importlib.metadata as m; print(m.version('" + dist + "'))"),
                tmp,
                Map.of("PATH", System.getenv("PATH")),
                Duration.ofMinutes(1),
                null));
    return r.output().strip();
  }

  @Test
  void buildsWithUvWhenThereIsOne() throws Exception {
    Path uv = uv();
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner, List.of(), uv);
    Map<String, String> versions =
        env.ensure(
            "python3", new Project(List.of(), List.of(), List.of()), Map.of("coverage", ">=7,<8"));
    assertThat(versions.get("coverage")).startsWith("7.");
    assertThat(Files.readString(ws.logs().resolve("prepare-env.log")))
        .contains(uv + " venv")
        .contains(uv + " pip install");
    assertThat(ws.venv().resolve("bin/python")).exists();
  }

  @Test
  void theVenvIsSeededFromUvsCacheAndFromTheIndexWhenTheCacheHasNothing() throws Exception {
    Path uv = uv();
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    Map<String, String> caller = new java.util.HashMap<>(System.getenv());
    caller.put("UV_CACHE_DIR", tmp.resolve("empty-uv-cache").toString());
    PythonEnvironment env =
        new PythonEnvironment(
            ws,
            runner,
            new dev.etask.core.process.Environments(caller, ws.home()),
            List.of(),
            List.of(),
            uv);
    env.ensure(
        "python3", new Project(List.of(), List.of(), List.of()), Map.of("coverage", ">=7,<8"));
    List<String> creates =
        Files.readString(ws.logs().resolve("prepare-env.log"))
            .lines()
            .filter(l -> l.startsWith("$ " + uv + " venv --seed"))
            .toList();
    assertThat(creates).hasSize(2);
    assertThat(creates.get(0)).contains("--offline");
    assertThat(creates.get(1)).doesNotContain("--offline");
    assertThat(ws.venv().resolve("bin/pip")).exists();
  }

  @Test
  void uvIsInstalledIntoTheToolsFolderAndASecondTaskReusesTheResolutionWithoutTheIndex()
      throws Exception {
    // a cache folder of the build's own: uv is installed into it once (no uv on PATH in CI)
    Path cache = Path.of("target/etask-cache").toAbsolutePath();
    FileTrees.delete(cache.resolve("resolutions"));
    Map<String, String> first = null;
    for (String task : List.of("one", "two")) {
      Path repo = tmp.resolve(task + "/repo");
      Files.createDirectories(repo);
      Workspace ws = Workspace.of(tmp.resolve(task + "/work"), null, task).on(repo);
      ws.createFolders();
      PythonEnvironment env =
          new PythonEnvironment(ws, runner).withTools(cache.resolve("tools"), "python3");
      Map<String, String> versions =
          env.ensure(
              "python3",
              new Project(List.of(), List.of(), List.of()),
              Map.of("coverage", ">=7,<8"));
      String log = Files.readString(ws.logs().resolve("prepare-env.log"));
      if (UvBootstrap.findOnPath("uv").isEmpty()) {
        assertThat(log).contains(cache.resolve("tools/uv-0.13/bin/uv") + " venv");
      }
      if (first == null) {
        first = versions;
        assertThat(log.lines().filter(l -> l.contains(" pip install ")))
            .noneMatch(l -> l.contains("--offline"));
        try (var kept = Files.list(cache.resolve("resolutions"))) {
          Path resolution = kept.findFirst().orElseThrow();
          assertThat(Files.readString(resolution))
              .contains("coverage==" + versions.get("coverage"));
        }
      } else {
        // the same inputs: the versions resolved for the first task, from uv's cache
        assertThat(log).contains("--offline").contains(cache.resolve("resolutions").toString());
        assertThat(versions).isEqualTo(first);
      }
    }
  }

  @Test
  void aFailingInstallSaysWhatWasAskedAndWhereTheLogIs() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner);
    assertThatThrownBy(
            () ->
                env.ensure(
                    "python3",
                    new Project(List.of("-r", "missing.txt"), List.of(), List.of()),
                    Map.of()))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("(-r missing.txt)")
        .satisfies(e -> assertThat(((EtaskException) e).nextStep()).contains("prepare-env.log"));
  }

  @Test
  void testDependenciesBeyondTheUsualFilesAreFound() throws Exception {
    Project p =
        detect(
            "pyproject.toml",
                """
            [tool.poetry]
            name = "rich"
            version = "1"
            [tool.poetry.dev-dependencies]
            pytest = "^7.0.0"
            attrs = "^21.4.0"
            local = { path = "../local" }
            [tool.poetry.group.test.dependencies]
            hypothesis = { version = "~6.1", extras = ["numpy"] }
            zero = "^0.3.1"
            exact = "1.2.3"
            [build-system]
            requires = ["poetry-core"]
            build-backend = "poetry.core.masonry.api"
            """,
            "tests/requirements.txt", "covdefaults\n",
            "requirements/testing.txt", "coverage\n",
            "requirements/docs.txt", "sphinx\n",
            "tox.ini",
                "[testenv]\ndeps =\n    poetry\n    pytest-randomly\n    py38: oldthing\n    -r{toxinidir}/tests/requirements.txt\n",
            "rich/__init__.py", "",
            "tests/test_x.py", "");
    assertThat(p.install())
        .containsExactly(
            "-r",
            "requirements/testing.txt",
            "-r",
            "tests/requirements.txt",
            "-e",
            ".",
            "pytest>=7.0.0,<8",
            "attrs>=21.4.0,<22",
            "hypothesis[numpy]>=6.1,<6.2",
            "zero>=0.3.1,<0.4",
            "exact==1.2.3",
            "pytest-randomly");
    assertThat(p.dependencyFiles()).contains("tests/requirements.txt", "tox.ini [testenv] deps");
    assertThat(p.tools()).containsEntry("pytest", ">=7.0.0,<8").containsEntry("ruff", ">=0.6");
    assertThat(p.toolSources()).containsEntry("pytest", "pyproject.toml");
    assertThat(p.hasTests()).isTrue();
  }

  @Test
  void theRuffAndMypyTheProjectPinsAreUsedUnlessTheSpecSaysOtherwise() throws Exception {
    Project p =
        detect(
            ".pre-commit-config.yaml",
                """
            repos:
              - repo: https://github.com/astral-sh/ruff-pre-commit
                rev: 1e8a8703264a2f4a69428a0aa4dcb512790b2c8c  # frozen: v0.4.10
                hooks: [{id: ruff}]
              - repo: https://github.com/pre-commit/mirrors-mypy
                rev: v1.11.2
                hooks: [{id: mypy}]
            """,
            "uv.lock", "[[package]]\nname = \"coverage\"\nversion = \"7.4.1\"\n",
            "app/__init__.py", "");
    assertThat(p.tools())
        .containsEntry("ruff", "==0.4.10")
        .containsEntry("mypy", "==1.11.2")
        .containsEntry("coverage", "==7.4.1")
        .containsEntry("pytest", ">=8,<10");
    assertThat(p.toolSources())
        .containsEntry("ruff", ".pre-commit-config.yaml")
        .containsEntry("coverage", "uv.lock");
    assertThat(p.ruffConfigured()).isTrue();
    TaskSpec.Python pinned =
        new TaskSpec.Python("python3", null, Map.of("ruff", "==0.6.9"), null, List.of());
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(tmp.resolve("repo"));
    Project q = new PythonEnvironment(ws, runner).detect("python3", pinned);
    assertThat(q.tools()).containsEntry("ruff", "==0.6.9");
    assertThat(q.toolSources()).containsEntry("ruff", "python.tools");
  }

  private static final String SPEC =
      "id: t\nobjective: o\ntarget: { include: [\"**\"] }\ngenerator: { command: gen }\n";

  @Test
  void mypyChecksWhatTheProjectsMypyConfigurationNames() throws Exception {
    Project configured =
        detect(
            "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1\"\n"
                    + "[tool.mypy]\nfiles = [\"src\", \"tests/typing\", \"gone\"]\n",
            "src/x/__init__.py", "",
            "tests/typing/check.py", "");
    assertThat(configured.mypyFiles()).containsExactly("src", "tests/typing");
    GateSetup setup =
        GateSetup.of(SpecLoader.parse(Path.of("/t.yaml"), SPEC).qualityGates(), configured);
    assertThat(setup.typeTargets(List.of("src"))).containsExactly("src", "tests/typing");
    Project ini =
        detect(
            "mypy.ini", "[mypy]\nfiles = pkg, stubs\n", "pkg/__init__.py", "", "stubs/a.pyi", "");
    assertThat(ini.mypyFiles()).containsExactly("pkg", "stubs");
    Project none = detect("pkg/__init__.py", "");
    assertThat(none.mypyFiles()).isNull();
    assertThat(
            GateSetup.of(SpecLoader.parse(Path.of("/t.yaml"), SPEC).qualityGates(), none)
                .typeTargets(List.of("pkg")))
        .containsExactly("pkg");
  }

  @Test
  void requirementFilesPinnedForAnotherPythonAreLeftOut() throws Exception {
    Project p =
        detect(
            "pyproject.toml", "[project]\nname = \"x\"\nversion = \"1\"\n",
            "requirements/tests.txt", "pytest==8.3.4\n",
            "requirements/tests37.txt", "pytest==7.4.4\n",
            "requirements/docs.txt", "sphinx\n",
            "x/__init__.py", "");
    assertThat(p.install()).containsExactly("-r", "requirements/tests.txt", "-e", ".");
  }

  @Test
  void howTheProjectRunsItsTests() throws Exception {
    Project unittest =
        detect(
            "setup.cfg", "[flake8]\nmax-line-length = 100\n",
            "kit/__init__.py", "",
            "tests/__init__.py", "",
            "tests/test_kit.py",
                "import doctest\n\ndef load_tests(loader, tests, ignore):\n    return tests\n");
    assertThat(unittest.runner()).isEqualTo("unittest");
    assertThat(unittest.runnerReason()).contains("load_tests");
    assertThat(unittest.pytestConfig()).isNull();
    assertThat(unittest.ruffConfigured()).isFalse();
  }

  @Test
  void pytestConfigurationIsFoundInPytestsOwnOrder() throws Exception {
    Project p =
        detect(
            "pyproject.toml",
                "[project]\nname = \"x\"\nversion = \"1\"\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
            "setup.cfg", "[tool:pytest]\naddopts = -q\n",
            "tests/pytest.ini", "[pytest]\n",
            "tests/test_x.py", "def load_tests(loader, tests, ignore):\n    return tests\n");
    assertThat(p.pytestConfig()).isEqualTo("pyproject.toml");
    assertThat(p.runner()).isEqualTo("pytest");
    assertThat(detect("tox.ini", "[pytest]\n", "x.py", "").pytestConfig()).isEqualTo("tox.ini");
  }

  @Test
  void aRepositoryWithoutTestsSaysSo() throws Exception {
    assertThat(detect("app.py", "").hasTests()).isFalse();
  }

  /** uv for the test, installed with pip into target/ once (a fresh machine has none). */
  private Path uv() {
    Path tool = Path.of("target/uv-tool").toAbsolutePath();
    Path uv = tool.resolve("bin/uv");
    if (!Files.isExecutable(uv)) {
      ProcessRunner.Result made =
          runner.run(
              Command.of(
                  Path.of("."),
                  System.getenv(),
                  Duration.ofMinutes(2),
                  null,
                  "python3",
                  "-m",
                  "venv",
                  tool.toString()));
      assertThat(made.ok()).as(made.output()).isTrue();
      ProcessRunner.Result installed =
          runner.run(
              Command.of(
                  Path.of("."),
                  System.getenv(),
                  Duration.ofMinutes(5),
                  null,
                  tool.resolve("bin/python").toString(),
                  "-m",
                  "pip",
                  "install",
                  "--quiet",
                  "uv>=0.4"));
      assertThat(installed.ok()).as(installed.output()).isTrue();
    }
    return uv;
  }
}
