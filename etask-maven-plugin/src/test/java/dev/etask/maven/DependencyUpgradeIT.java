package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.git.LocalOrigins;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code type: dependency-upgrade} end to end, against a package index made here (real git, uv,
 * Python and gates): each pin moved to the newest release the index serves, one batch per
 * dependency; the upgrade the tests pass with is kept, the one they fail with rolled back; a
 * uv.lock locked again with uv. The tools the gates need come from PyPI (the index's extra).
 */
class DependencyUpgradeIT extends MavenProcesses {
  /** uv from PyPI in this module's target folder: it makes the seed's uv.lock. */
  private static final Path UV = Path.of("target/uv").toAbsolutePath();

  /** Poetry from PyPI in this module's target folder: it makes the seed's poetry.lock. */
  private static final Path POETRY = Path.of("target/poetry").toAbsolutePath();

  private static final String HELLO =
      "def hello(name: str) -> str:\n    return \"hello \" + name\n";
  private static final String SHOUT = "def shout(text: str) -> str:\n    return text.upper()\n";
  private LocalIndex index;

  @BeforeEach
  void packageIndex() throws Exception {
    index =
        new LocalIndex()
            .add("etask-it-greet", "1.0", HELLO)
            .add("etask-it-greet", "1.1", HELLO)
            // the newest greet renamed its function: the project's test fails with it
            .add("etask-it-greet", "2.0", HELLO.replace("hello(", "greet("))
            .add("etask-it-shout", "1.0", SHOUT)
            .add("etask-it-shout", "1.2", SHOUT);
  }

  @AfterEach
  void stopIndex() {
    index.close();
  }

  private Map<String, String> indexes() {
    return Map.of(
        "PIP_INDEX_URL",
        index.simple(),
        "PIP_EXTRA_INDEX_URL",
        "https://pypi.org/simple",
        "UV_INDEX_URL",
        index.simple(),
        "UV_EXTRA_INDEX_URL",
        "https://pypi.org/simple",
        // the gate tools from the download cache the other ITs fill (the index's own wheels are
        // cached by their URL, which has a port of its own every run)
        "UV_CACHE_DIR",
        Path.of("target/it-home/.cache/uv").toAbsolutePath().toString());
  }

  /**
   * A project using greet and shout, its pins in {@code file}; committed as origin {@code name}.
   */
  private Path project(String name, Map<String, String> files) throws Exception {
    Path seed = dir.resolve(name + "-seed");
    write(seed.resolve("src/app/__init__.py"), "");
    write(
        seed.resolve("src/app/welcome.py"),
        "from etask_it_greet import hello\nfrom etask_it_shout import shout\n\n\n"
            + "def welcome(name: str) -> str:\n    return shout(hello(name)) + \"!\"\n");
    write(
        seed.resolve("tests/test_welcome.py"),
        "from app.welcome import welcome\n\n\ndef test_welcome() -> None:\n"
            + "    assert welcome(\"you\") == \"HELLO YOU!\"\n");
    for (Map.Entry<String, String> f : files.entrySet()) {
      write(seed.resolve(f.getKey()), f.getValue());
    }
    return seed;
  }

  private void spec(String id, Path origin, String include) throws Exception {
    Files.writeString(
        dir.resolve("task.yaml"),
        "id: "
            + id
            + "\ntype: dependency-upgrade\nobjective: \"Keep the pinned dependencies current\"\n"
            + "repository: { url: \""
            + origin
            + "\" }\ntarget: { include: ["
            + include
            + "] }\npr: { provider: local }\n");
  }

  @Test
  void eachPinMovesInABatchOfItsOwnAndTheGatesDecideWhichStay() throws Exception {
    Path seed =
        project(
            "req",
            Map.of(
                "requirements.txt",
                "etask-it-greet==1.0  # the greeting\netask-it-shout==1.0\n",
                "pyproject.toml",
                "[tool.pytest.ini_options]\npythonpath = [\"src\"]\n\n"
                    + "[tool.coverage.run]\nsource = [\"src\"]\n"));
    LocalOrigins.create(seed, dir.resolve("req.git"), new PersonIdent("it", "it@example.com"));
    spec("upgrade", dir.resolve("req.git"), "\"requirements.txt\"");
    Path log = dir.resolve("run.log");
    int exit = mavenToTheEnd("run", log, indexes());
    String text = read(log);
    JsonNode s =
        Json.MAPPER.readTree(dir.resolve("target/etask/artifacts/upgrade/status.json").toFile());
    assertThat(s.path("batches")).as(text).hasSize(2);
    // greet 1.0 → 2.0: measured with 2.0 installed, the project's test fails: rolled back
    JsonNode greet = s.path("batches").get(0);
    assertThat(greet.path("upgrade").path("name").asText()).isEqualTo("etask-it-greet");
    assertThat(greet.path("upgrade").path("from").asText()).isEqualTo("1.0");
    assertThat(greet.path("upgrade").path("to").asText()).isEqualTo("2.0");
    assertThat(greet.path("decision").asText()).as(text).isEqualTo("rollback");
    assertThat(greet.path("labels").toString()).contains("tests-failed");
    // shout 1.0 → 1.2: the tests pass with it: accepted
    JsonNode shout = s.path("batches").get(1);
    assertThat(shout.path("upgrade").path("to").asText()).isEqualTo("1.2");
    assertThat(shout.path("decision").asText()).as(text).isEqualTo("accept");
    assertThat(git(dir.resolve("req.git"), "show", "auto/upgrade:requirements.txt"))
        .isEqualTo("etask-it-greet==1.0  # the greeting\netask-it-shout==1.2");
    assertThat(git(dir.resolve("req.git"), "log", "-1", "--format=%s", "auto/upgrade"))
        .isEqualTo("build(deps): upgrade etask-it-shout from 1.0 to 1.2 (requirements.txt)");
    // one upgrade left out: partial (exit code 2, a warning for Maven unless failOnRisk)
    assertThat(s.path("exit_code").asInt()).isEqualTo(2);
    assertThat(exit).as(text).isZero();
    String body = read(dir.resolve("target/etask/artifacts/upgrade/pr.md"));
    assertThat(body)
        .contains("| `etask-it-greet` | 1.0 | 2.0 | rollback: ")
        .contains("| `etask-it-shout` | 1.0 | 1.2 | accept |")
        .startsWith("## build(deps):");
  }

  @Test
  void aUvLockIsLockedAgainWithTheUpgrade() throws Exception {
    Path seed =
        project(
            "locked",
            Map.of(
                "pyproject.toml",
                "[project]\nname = \"upgrade-demo\"\nversion = \"0.1.0\"\n"
                    + "requires-python = \">=3.9\"\n"
                    + "dependencies = [\"etask-it-greet==1.1\", \"etask-it-shout==1.0\"]\n\n"
                    + "[tool.pytest.ini_options]\npythonpath = [\"src\"]\n\n"
                    + "[tool.coverage.run]\nsource = [\"src\"]\n"));
    uvLock(seed);
    assertThat(Files.readString(seed.resolve("uv.lock"))).contains("name = \"etask-it-shout\"");
    LocalOrigins.create(seed, dir.resolve("locked.git"), new PersonIdent("it", "it@example.com"));
    spec("relock", dir.resolve("locked.git"), "\"pyproject.toml\"");
    Path log = dir.resolve("relock.log");
    int exit = mavenToTheEnd("run", log, indexes());
    String text = read(log);
    JsonNode s =
        Json.MAPPER.readTree(dir.resolve("target/etask/artifacts/relock/status.json").toFile());
    JsonNode shout = s.path("batches").get(1);
    assertThat(shout.path("files").toString()).contains("uv.lock");
    // pyproject.toml also configures the tools: kept, its label informational for this type
    assertThat(shout.path("decision").asText()).as(text).isEqualTo("keep");
    assertThat(shout.path("labels").toString()).contains("test-config-changed");
    String lock = git(dir.resolve("locked.git"), "show", "auto/relock:uv.lock");
    assertThat(lock)
        .contains("etask_it_shout-1.2-py3-none-any.whl")
        .doesNotContain("etask_it_shout-1.0-")
        .contains("etask_it_greet-1.1-py3-none-any.whl"); // greet 2.0 was rolled back
    assertThat(git(dir.resolve("locked.git"), "show", "auto/relock:pyproject.toml"))
        .contains("\"etask-it-shout==1.2\"")
        .contains("\"etask-it-greet==1.1\"");
    assertThat(s.path("exit_code").asInt()).isEqualTo(2); // greet 2.0 rolled back
    assertThat(exit).as(text).isZero();
  }

  @Test
  void aPoetryLockIsLockedAgainWithPoetry() throws Exception {
    Path seed =
        project(
            "poetry",
            Map.of(
                "pyproject.toml",
                "[tool.poetry]\nname = \"upgrade-demo\"\nversion = \"0.1.0\"\ndescription = \"\"\n"
                    + "authors = [\"it <it@example.com>\"]\npackages = [{ include = \"app\", from = \"src\" }]\n\n"
                    + "[tool.poetry.dependencies]\npython = \"^3.9\"\n"
                    + "etask-it-greet = \"1.1\"\netask-it-shout = \"1.0\"\n\n"
                    + "[[tool.poetry.source]]\nname = \"local\"\nurl = \""
                    + index.simple()
                    + "\"\npriority = \"primary\"\n\n"
                    + "[build-system]\nrequires = [\"poetry-core>=2\"]\n"
                    + "build-backend = \"poetry.core.masonry.api\"\n\n"
                    + "[tool.pytest.ini_options]\npythonpath = [\"src\"]\n\n"
                    + "[tool.coverage.run]\nsource = [\"src\"]\n"));
    Path poetry = POETRY.resolve("bin/poetry");
    if (!Files.isExecutable(poetry)) {
      run(List.of("python3", "-m", "venv", POETRY.toString()), null, Map.of());
      run(
          List.of(POETRY.resolve("bin/pip").toString(), "install", "-q", "poetry>=2,<3"),
          null,
          Map.of());
    }
    run(
        List.of(poetry.toString(), "lock", "--no-interaction"),
        seed,
        Map.of("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring"));
    assertThat(Files.readString(seed.resolve("poetry.lock"))).contains("etask_it_shout-1.0-py3");
    LocalOrigins.create(seed, dir.resolve("poetry.git"), new PersonIdent("it", "it@example.com"));
    spec("poetry", dir.resolve("poetry.git"), "\"pyproject.toml\"");
    Path log = dir.resolve("poetry.log");
    int exit = mavenToTheEnd("run", log, indexes());
    String text = read(log);
    JsonNode s =
        Json.MAPPER.readTree(dir.resolve("target/etask/artifacts/poetry/status.json").toFile());
    JsonNode shout = s.path("batches").get(1);
    assertThat(shout.path("files").toString()).as(text).contains("poetry.lock");
    assertThat(shout.path("decision").asText()).as(text).isEqualTo("keep");
    assertThat(git(dir.resolve("poetry.git"), "show", "auto/poetry:poetry.lock"))
        .contains("etask_it_shout-1.2-py3")
        .doesNotContain("etask_it_shout-1.0-py3")
        .contains("etask_it_greet-1.1-py3");
    assertThat(git(dir.resolve("poetry.git"), "show", "auto/poetry:pyproject.toml"))
        .contains("etask-it-shout = \"1.2\"")
        .contains("etask-it-greet = \"1.1\"");
    assertThat(s.path("exit_code").asInt()).isEqualTo(2); // greet 2.0 rolled back
    assertThat(exit).as(text).isZero();
  }

  /** Makes {@code seed}'s uv.lock with uv from PyPI, against the index made here. */
  private void uvLock(Path seed) throws Exception {
    Path uv = UV.resolve("bin/uv");
    if (!Files.isExecutable(uv)) {
      run(
          List.of("python3", "-m", "pip", "install", "-q", "--target", UV.toString(), "uv"),
          null,
          Map.of());
    }
    run(List.of(uv.toString(), "lock", "--no-cache"), seed, indexes());
  }

  private static void run(List<String> cmd, Path where, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (where != null) {
      pb.directory(where.toFile());
    }
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0).as(out).isTrue();
  }

  private static void write(Path file, String content) throws Exception {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
