package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.etask.core.git.LocalOrigins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A batch that changes the dependencies is measured in an environment built for them (in the
 * sandbox: the install runs what the clone declares), against the state before it, and labelled
 * {@code dependencies-changed}; once it is rolled back, the next batch runs in the branch's
 * environment again. The package comes from a local index made here: {@code etask-it-greet} 1.0 and
 * 1.1 say {@code hello}, 2.0 renamed it {@code greet}.
 */
class DependenciesIT extends MavenProcesses {
  private static final ObjectMapper JSON = new ObjectMapper();
  private LocalIndex index;

  @BeforeEach
  void packageIndexAndProject() throws Exception {
    String hello = "def hello(name: str) -> str:\n    return \"hello \" + name\n";
    index =
        new LocalIndex()
            .add("etask-it-greet", "1.0", hello)
            .add("etask-it-greet", "1.1", hello)
            .add("etask-it-greet", "2.0", hello.replace("hello(", "greet("));
    Path seed = dir.resolve("deps-seed");
    write(
        seed.resolve("requirements.txt"),
        "--find-links " + index.links() + "\netask-it-greet==1.0\n");
    write(
        seed.resolve("pyproject.toml"),
        "[tool.pytest.ini_options]\npythonpath = [\"src\"]\n\n[tool.coverage.run]\nsource = [\"src\"]\n");
    write(seed.resolve("src/app/__init__.py"), "");
    write(
        seed.resolve("src/app/welcome.py"),
        "from etask_it_greet import hello\n\n\ndef welcome(name: str) -> str:\n"
            + "    return hello(name) + \"!\"\n");
    for (String m : new String[] {"a", "b", "c"}) {
      write(seed.resolve("src/app/" + m + ".py"), "def " + m + "() -> int:\n    return 1\n");
    }
    write(
        seed.resolve("tests/test_welcome.py"),
        "from app.welcome import welcome\n\n\ndef test_welcome() -> None:\n"
            + "    assert welcome(\"you\") == \"hello you!\"\n");
    LocalOrigins.create(seed, dir.resolve("deps.git"), new PersonIdent("it", "it@example.com"));
    behaviours(
        "src/app/a.py: bump-compatible\nsrc/app/b.py: bump-breaking\nsrc/app/c.py: greet-is-1.1\n");
  }

  @AfterEach
  void stopIndex() {
    if (index != null) {
      index.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"incremental", "full"})
  void aBatchThatChangesTheDependenciesIsMeasuredWithThem(String validation) throws Exception {
    Files.writeString(
        dir.resolve("task.yaml"),
        """
        id: deps
        objective: "Keep the dependencies current"
        repository: { url: "%s" }
        target: { include: ["src/app/a.py", "src/app/b.py", "src/app/c.py"], writable: ["tests/**", "requirements.txt"] }
        generator: { command: "python {spec_dir}/behave.py {file}" }
        quality_gates: { validation: %s }
        pr: { provider: local }
        """
            .formatted(dir.resolve("deps.git"), validation));
    Path log = dir.resolve("run.log");
    int exit = mavenToTheEnd("run", log, Map.of());
    String text = read(log);
    assertThat(exit).as(text).isZero();
    JsonNode s = JSON.readTree(dir.resolve("target/etask/artifacts/deps/status.json").toFile());
    // 1.1: the environment built for it, the tests pass there, labelled
    assertThat(s.at("/batches/0/decision").asText()).as(text).isEqualTo("accept");
    assertThat(s.at("/batches/0/labels").toString()).as(text).contains("dependencies-changed");
    // 2.0: measured with 2.0 installed, the project's own test fails: rolled back
    assertThat(s.at("/batches/1/decision").asText()).as(text).isEqualTo("rollback");
    assertThat(s.at("/batches/1/labels").toString())
        .contains("dependencies-changed")
        .contains("tests-failed");
    assertThat(s.at("/batches/1/reason").asText()).contains("fail");
    // the next batch runs where the branch stands: 1.1 installed, not 2.0 nor 1.0
    assertThat(s.at("/batches/2/decision").asText()).as(text).isEqualTo("accept");
    assertThat(s.get("exit_code").asInt()).isEqualTo(2);
    assertThat(git(dir.resolve("deps.git"), "show", "auto/deps:requirements.txt"))
        .contains("etask-it-greet==1.1");
    assertThat(text)
        .contains("in the sandbox: the clone holds code the generator wrote")
        .contains("the Python environment is the branch's again");
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
