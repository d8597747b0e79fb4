package dev.etask.maven;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code type: agent}: a coding-agent CLI as the generator, through the command line etask
 * documents for it. The real aider (from PyPI) against a model played by WireMock; and fake agents
 * that edit as a CLI does, commit, edit outside the allowlist, or hang.
 */
class AgentIT extends MavenProcesses {
  private static final Path AIDER = Path.of("target/aider").toAbsolutePath();
  private static final String KEY = "sk-agent-it-5d1e9f0a7b";

  private void spec(String id, String objective, String extra, Path agentHome) throws Exception {
    Files.createDirectories(dir.resolve("tasks"));
    Files.writeString(
        dir.resolve("tasks/" + id + ".yaml"),
        "id: "
            + id
            + "\ntype: agent\nobjective: \""
            + objective
            + "\"\nrepository: { url: ../origin.git }\n"
            + "target: { include: [\"src/service/payment.py\"], writable: [\"tests/**\"] }\n"
            + "generator:\n  env: [OPENAI_API_KEY, AIDER_MODEL, OPENAI_API_BASE]\n  mounts: ["
            + agentHome
            + "]\n"
            + extra
            + "pr: { provider: local }\n");
  }

  private Map<String, String> env(Path bin, String base) {
    return Map.of(
        "PATH",
        bin + ":" + System.getenv("PATH"),
        "OPENAI_API_KEY",
        KEY,
        "AIDER_MODEL",
        "openai/test-model",
        "OPENAI_API_BASE",
        base);
  }

  @Test
  void theRealAiderWritesTheBatchAgainstAModelPlayedByWireMock() throws Exception {
    installAider();
    WireMockServer api = new WireMockServer(options().dynamicPort());
    api.start();
    try {
      String reply =
          "tests/test_payment_agent.py\n```python\n"
              + "from src.service.payment import calculate_fee\n\n\n"
              + "def test_bank_transfer_fee_is_capped() -> None:\n"
              + "    assert calculate_fee(10_000, \"bank_transfer\") == 5.0\n```\n";
      api.stubFor(
          post(urlEqualTo("/v1/chat/completions"))
              .willReturn(
                  okJson(
                      "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"test-model\","
                          + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":"
                          + "\"assistant\",\"content\":"
                          + Json.MAPPER.writeValueAsString(reply)
                          + "}}],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":20,"
                          + "\"total_tokens\":70}}")));
      spec("aider-payment", "Add a test of the bank transfer fee cap", "", AIDER);
      Path log = dir.resolve("aider.log");
      int exit =
          toTheEnd(
              mavenIn(
                  dir,
                  "run",
                  log,
                  env(AIDER.resolve("bin"), api.baseUrl() + "/v1"),
                  "-Detask.spec=tasks/aider-payment.yaml"),
              log);

      assertThat(exit).as(read(log)).isZero();
      api.verify(
          postRequestedFor(urlEqualTo("/v1/chat/completions"))
              .withHeader("Authorization", equalTo("Bearer " + KEY))
              .withRequestBody(containing("Add a test of the bank transfer fee cap"))
              .withRequestBody(containing("## You may change")));
      assertThat(
              git(
                  dir.resolve("origin.git"),
                  "show",
                  "auto/aider-payment:tests/test_payment_agent.py"))
          .contains("def test_bank_transfer_fee_is_capped");
      assertThat(
              git(dir.resolve("origin.git"), "ls-tree", "-r", "--name-only", "auto/aider-payment"))
          .as("aider's history files stay in the scratch folder")
          .doesNotContain(".aider");
      JsonNode status = status("aider-payment");
      assertThat(status.path("exit_code").asInt()).isZero();
      assertThat(status.path("labels").toString()).contains("agent");
      List<Path> files = filesUnder(dir.resolve("target"));
      files.add(log);
      assertThat(leaks(List.of(KEY), files, List.of(dir.resolve("origin.git")))).isEmpty();
    } finally {
      api.stop();
    }
  }

  @Test
  void fakeAgentsThatCommitEditOutsideOrHangAreHeldToTheRules() throws Exception {
    Path home = dir.resolve("fake-agent");
    Path bin = Files.createDirectories(home.resolve("bin"));
    Path aider = bin.resolve("aider");
    Files.writeString(aider, FAKE_AIDER);
    Files.setPosixFilePermissions(aider, PosixFilePermissions.fromString("rwxr-xr-x"));
    spec("edits", "MODE=edit", "", home);
    spec("commits", "MODE=commit", "", home);
    spec("outside", "MODE=outside", "", home);
    spec("hangs", "MODE=hang", "  timeout: 5s\n", home);
    Path log = dir.resolve("fakes.log");
    int exit =
        toTheEnd(
            mavenIn(
                dir,
                "launch",
                log,
                env(bin, "http://127.0.0.1:9/v1"),
                "-Detask.tasks=tasks",
                "-Detask.parallel=4"),
            log);
    assertThat(exit).as("two tasks deliver nothing: the build fails").isNotZero();
    String out = read(log);

    // an agent that edits as a CLI does: the prompt told it what it may change
    String edited = git(dir.resolve("origin.git"), "show", "auto/edits:tests/test_agent_edit.py");
    assertThat(edited).contains("# may change: - src/service/payment.py").contains("tests/**");
    assertThat(status("edits").path("exit_code").asInt()).isZero();

    // one that commits: its commit fails on the read-only .git; the batch is judged on its files
    assertThat(status("commits").path("exit_code").asInt()).isZero();
    assertThat(git(dir.resolve("origin.git"), "log", "--format=%an", "main..auto/commits"))
        .doesNotContain("agent");
    assertThat(git(dir.resolve("origin.git"), "show", "auto/commits:tests/test_agent_commit.py"))
        .contains("def test_");

    // one that edits outside the allowlist: rolled back, naming the file
    JsonNode outside = status("outside").path("batches").get(0);
    assertThat(outside.path("decision").asText()).isEqualTo("rollback");
    assertThat(outside.path("reason").asText()).contains("src/service/user.py");

    // one that hangs: stopped at its timeout, said so
    JsonNode hangs = status("hangs").path("batches").get(0);
    assertThat(hangs.path("reason").asText()).contains("timed out after 5s");
    assertThat(out).contains("2 of 4 task(s) failed: hangs, outside");
  }

  private JsonNode status(String id) throws Exception {
    return Json.MAPPER.readTree(
        dir.resolve("target/etask/artifacts/" + id + "/status.json").toFile());
  }

  /**
   * aider from PyPI, in a virtualenv of this module's target folder (pip's cache makes it cheap).
   */
  private static void installAider() throws Exception {
    if (Files.isExecutable(AIDER.resolve("bin/aider"))) {
      return;
    }
    run(List.of("python3", "-m", "venv", AIDER.toString()));
    run(List.of(AIDER.resolve("bin/pip").toString(), "install", "-q", "aider-chat==0.86.2"));
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
  }

  /** A stand-in for aider: reads --message-file, acts by the MODE its objective names. */
  private static final String FAKE_AIDER =
      """
      #!/usr/bin/env python3
      import subprocess, sys, time
      args = sys.argv[1:]
      prompt = open(args[args.index("--message-file") + 1], encoding="utf-8").read()
      mode = prompt.split("MODE=")[1].split()[0]
      if mode == "hang":
          time.sleep(3600)
      may = prompt.split("## You may change")[1].split("\\n\\n")[1].strip().splitlines()
      test = "".join("# may change: " + line + "\\n" for line in may)
      test += "from src.service.payment import calculate_fee\\n\\n\\n"
      test += "def test_%s_fee_of_nothing() -> None:\\n    assert calculate_fee(0) == 0.0\\n" % mode
      open("tests/test_agent_%s.py" % mode, "w", encoding="utf-8").write(test)
      if mode == "outside":
          with open("src/service/user.py", "a", encoding="utf-8") as f:
              f.write("# touched by the agent\\n")
      if mode == "commit":
          git = ["git", "-c", "user.name=agent", "-c", "user.email=a@example.com"]
          subprocess.run(git + ["add", "-A"], capture_output=True)
          done = subprocess.run(git + ["commit", "-qm", "agent's own commit"], capture_output=True, text=True)
          print("git commit:", done.returncode, done.stderr.strip())
      print("Applied edit to tests/test_agent_%s.py" % mode)
      """;
}
