package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.etask.core.git.LocalOrigins;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
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
  private HttpServer index;

  @BeforeEach
  void packageIndexAndProject() throws Exception {
    Map<String, byte[]> wheels = new LinkedHashMap<>();
    wheels.put("1.0", wheel("1.0", "hello"));
    wheels.put("1.1", wheel("1.1", "hello"));
    wheels.put("2.0", wheel("2.0", "greet"));
    index = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    index.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          byte[] body = null;
          if (path.equals("/")) {
            StringBuilder page = new StringBuilder("<html><body>\n");
            wheels
                .keySet()
                .forEach(
                    v ->
                        page.append("<a href=\"")
                            .append(name(v))
                            .append("\">")
                            .append(name(v))
                            .append("</a>\n"));
            body = page.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
          } else {
            for (String v : wheels.keySet()) {
              if (path.equals("/" + name(v))) {
                body = wheels.get(v);
              }
            }
          }
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    index.start();
    Path seed = dir.resolve("deps-seed");
    write(
        seed.resolve("requirements.txt"),
        "--find-links http://127.0.0.1:"
            + index.getAddress().getPort()
            + "/\netask-it-greet==1.0\n");
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
      index.stop(0);
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

  private static String name(String version) {
    return "etask_it_greet-" + version + "-py3-none-any.whl";
  }

  /** A wheel of etask-it-greet whose one function is called {@code function}. */
  private static byte[] wheel(String version, String function) throws Exception {
    String info = "etask_it_greet-" + version + ".dist-info/";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(
        "etask_it_greet/__init__.py",
        "def " + function + "(name: str) -> str:\n    return \"hello \" + name\n");
    files.put("etask_it_greet/py.typed", "");
    files.put(
        info + "METADATA",
        "Metadata-Version: 2.1\nName: etask-it-greet\nVersion: " + version + "\n");
    files.put(
        info + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: etask-it\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(content);
        zip.closeEntry();
        String hash =
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
        record
            .append(f.getKey())
            .append(",sha256=")
            .append(hash)
            .append(',')
            .append(content.length)
            .append('\n');
      }
      record.append(info).append("RECORD,,\n");
      zip.putNextEntry(new ZipEntry(info + "RECORD"));
      zip.write(record.toString().getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
