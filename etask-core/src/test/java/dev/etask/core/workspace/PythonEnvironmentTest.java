package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etask.core.process.Command;
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

/** Project detection on the layouts users have, and building the venv with pip and with uv (real Python). */
class PythonEnvironmentTest {
  private static final TaskSpec.Python DETECT = new TaskSpec.Python("python3", null, SpecLoader.DEFAULT_TOOLS, null, List.of());
  private final ProcessRunner runner = new ProcessRunner(Redactor.none());
  @TempDir Path tmp;

  private PythonEnvironment.Project detect(String... files) throws Exception {
    Path repo = tmp.resolve("repo");
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
  void srcLayoutWithTestExtrasAndDependencyGroups() throws Exception {
    PythonEnvironment.Project p = detect(
        "pyproject.toml", """
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
  void flatLayoutWithRequirementsFilesAndModules() throws Exception {
    PythonEnvironment.Project p = detect(
        "requirements.txt", "requests\n",
        "requirements-dev.txt", "pytest\n",
        "requirements-docs.txt", "sphinx\n",
        "setup.cfg", "[tool:pytest]\n",
        "textutil.py", "",
        "setup.py", "",
        "conftest.py", "",
        "test/test_x.py", "");
    assertThat(p.install()).containsExactly("-r", "requirements.txt", "-r", "requirements-dev.txt", "-e", ".");
    assertThat(p.source()).containsExactly("textutil.py");
    assertThat(p.tests()).containsExactly("test");
  }

  @Test
  void topLevelPackagesAndBuildSystemOnly() throws Exception {
    PythonEnvironment.Project p = detect(
        "pyproject.toml", "[build-system]\nrequires = [\"poetry-core\"]\nbuild-backend = \"poetry.core.masonry.api\"\n",
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
    PythonEnvironment.Project project = new PythonEnvironment.Project(List.of("-r", "requirements.txt"), List.of(),
        List.of());
    Map<String, String> versions = env.ensure("python3", project, Map.of("pytest", ">=8,<10"));
    assertThat(versions.get("pytest")).matches("(8|9)\\..*");
    String log = Files.readString(ws.logs().resolve("prepare-env.log"));
    assertThat(log).contains("-m pip install");
    Path marker = ws.venv().resolve(".etask-env");
    long before = Files.getLastModifiedTime(marker).toMillis();
    assertThat(env.ensure("python3", project, Map.of("pytest", ">=8,<10"))).isEqualTo(versions);
    assertThat(Files.getLastModifiedTime(marker).toMillis()).isEqualTo(before);
    assertThat(Files.readString(ws.logs().resolve("prepare-env.log"))).isEqualTo(log + "$ "
        + ws.venv().resolve("bin/python") + " " + ws.cache().resolve("etask-tool_versions.py") + " pytest\n"
        + "{\"pytest\": \"" + versions.get("pytest") + "\"}\n");
  }

  @Test
  void buildsWithUvWhenThereIsOne() throws Exception {
    Path uv = uv();
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner, List.of(), uv);
    Map<String, String> versions = env.ensure("python3", new PythonEnvironment.Project(List.of(), List.of(), List.of()),
        Map.of("coverage", ">=7,<8"));
    assertThat(versions.get("coverage")).startsWith("7.");
    assertThat(Files.readString(ws.logs().resolve("prepare-env.log"))).contains(uv + " venv").contains(uv + " pip install");
    assertThat(ws.venv().resolve("bin/python")).exists();
  }

  @Test
  void aFailingInstallSaysWhatWasAskedAndWhereTheLogIs() throws Exception {
    Path repo = tmp.resolve("repo");
    Files.createDirectories(repo);
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t").on(repo);
    ws.createFolders();
    PythonEnvironment env = new PythonEnvironment(ws, runner);
    assertThatThrownBy(() -> env.ensure("python3", new PythonEnvironment.Project(List.of("-r", "missing.txt"), List.of(),
        List.of()), Map.of()))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("(-r missing.txt)")
        .satisfies(e -> assertThat(((EtaskException) e).nextStep()).contains("prepare-env.log"));
  }

  /** uv for the test, installed with pip into target/ once (a fresh machine has none). */
  private Path uv() {
    Path tool = Path.of("target/uv-tool").toAbsolutePath();
    Path uv = tool.resolve("bin/uv");
    if (!Files.isExecutable(uv)) {
      ProcessRunner.Result made = runner.run(Command.of(Path.of("."), System.getenv(), Duration.ofMinutes(2), null,
          "python3", "-m", "venv", tool.toString()));
      assertThat(made.ok()).as(made.output()).isTrue();
      ProcessRunner.Result installed = runner.run(Command.of(Path.of("."), System.getenv(), Duration.ofMinutes(5), null,
          tool.resolve("bin/python").toString(), "-m", "pip", "install", "--quiet", "uv>=0.4"));
      assertThat(installed.ok()).as(installed.output()).isTrue();
    }
    return uv;
  }
}
