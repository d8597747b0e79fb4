package dev.etask.maven;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
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
  private static final Path CLAUDE = Path.of("target/claude-code").toAbsolutePath();
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
  void theRealClaudeCodeWritesTheBatchAgainstAModelPlayedByWireMock() throws Exception {
    installClaudeCode();
    WireMockServer api = new WireMockServer(options().dynamicPort());
    api.start();
    try {
      String id = "claude-payment";
      Path test = dir.resolve("target/etask/" + id + "/repo/tests/test_payment_claude.py");
      String content =
          "from src.service.payment import calculate_fee\n\n\n"
              + "def test_paypal_fee() -> None:\n"
              + "    assert calculate_fee(100, \"paypal\") == 3.89\n";
      // the model: asked for the objective, it writes the test with its Write tool; shown the
      // tool's result, it is done; anything else claude-code asks on the side gets a short answer
      api.stubFor(
          post(urlPathEqualTo("/v1/messages"))
              .atPriority(1)
              .withRequestBody(containing("tool_result"))
              .willReturn(sse(List.of(text("Done.")), "end_turn")));
      api.stubFor(
          post(urlPathEqualTo("/v1/messages"))
              .atPriority(2)
              .withRequestBody(containing("Add a test of the PayPal fee"))
              .willReturn(
                  sse(
                      List.of(
                          Map.of(
                              "type",
                              "tool_use",
                              "id",
                              "toolu_1",
                              "name",
                              "Write",
                              "input",
                              Map.of("file_path", test.toString(), "content", content))),
                      "tool_use")));
      api.stubFor(
          post(urlPathEqualTo("/v1/messages"))
              .atPriority(3)
              .willReturn(sse(List.of(text("ok")), "end_turn")));
      Files.createDirectories(dir.resolve("tasks"));
      Files.writeString(
          dir.resolve("tasks/" + id + ".yaml"),
          "id: "
              + id
              + "\ntype: agent\nobjective: \"Add a test of the PayPal fee\"\n"
              + "repository: { url: ../origin.git }\n"
              + "target: { include: [\"src/service/payment.py\"], writable: [\"tests/**\"] }\n"
              + "generator:\n  agent: claude-code\n"
              + "  env: [ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL]\n  mounts: ["
              + CLAUDE
              + "]\npr: { provider: local }\n");
      Path log = dir.resolve("claude.log");
      int exit =
          toTheEnd(
              mavenIn(
                  dir,
                  "run",
                  log,
                  Map.of(
                      "PATH",
                      CLAUDE.resolve("node_modules/.bin") + ":" + System.getenv("PATH"),
                      "ANTHROPIC_API_KEY",
                      KEY,
                      "ANTHROPIC_BASE_URL",
                      api.baseUrl()),
                  "-Detask.spec=tasks/" + id + ".yaml"),
              log);

      assertThat(exit).as(read(log)).isZero();
      api.verify(
          postRequestedFor(urlPathEqualTo("/v1/messages"))
              .withHeader("x-api-key", equalTo(KEY))
              .withRequestBody(containing("## You may change")));
      assertThat(
              git(
                  dir.resolve("origin.git"),
                  "show",
                  "auto/" + id + ":tests/test_payment_claude.py"))
          .contains("def test_paypal_fee");
      List<Path> files = filesUnder(dir.resolve("target"));
      files.add(log);
      assertThat(leaks(List.of(KEY), files, List.of(dir.resolve("origin.git")))).isEmpty();
    } finally {
      api.stop();
    }
  }

  private static Map<String, Object> text(String text) {
    return Map.of("type", "text", "text", text);
  }

  /** An Anthropic Messages API answer as the server-sent events claude-code streams. */
  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder sse(
      List<Map<String, Object>> blocks, String stop) throws Exception {
    List<Map<String, Object>> events = new java.util.ArrayList<>();
    events.add(
        Map.of(
            "type",
            "message_start",
            "message",
            Map.of(
                "id",
                "msg_1",
                "type",
                "message",
                "role",
                "assistant",
                "model",
                "test-model",
                "content",
                List.of(),
                "usage",
                Map.of("input_tokens", 10, "output_tokens", 1))));
    for (int i = 0; i < blocks.size(); i++) {
      Map<String, Object> b = blocks.get(i);
      boolean tool = "tool_use".equals(b.get("type"));
      events.add(
          Map.of(
              "type",
              "content_block_start",
              "index",
              i,
              "content_block",
              tool
                  ? Map.of(
                      "type",
                      "tool_use",
                      "id",
                      b.get("id"),
                      "name",
                      b.get("name"),
                      "input",
                      Map.of())
                  : Map.of("type", "text", "text", "")));
      events.add(
          Map.of(
              "type",
              "content_block_delta",
              "index",
              i,
              "delta",
              tool
                  ? Map.of(
                      "type",
                      "input_json_delta",
                      "partial_json",
                      Json.MAPPER.writeValueAsString(b.get("input")))
                  : Map.of("type", "text_delta", "text", b.get("text"))));
      events.add(Map.of("type", "content_block_stop", "index", i));
    }
    events.add(
        Map.of(
            "type", "message_delta",
            "delta", Map.of("stop_reason", stop),
            "usage", Map.of("output_tokens", 5)));
    events.add(Map.of("type", "message_stop"));
    StringBuilder body = new StringBuilder();
    for (Map<String, Object> e : events) {
      body.append("event: ")
          .append(e.get("type"))
          .append("\ndata: ")
          .append(
              Json.MAPPER
                  .writer()
                  .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(e))
          .append("\n\n");
    }
    return com.github.tomakehurst.wiremock.client.WireMock.aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "text/event-stream")
        .withBody(body.toString());
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

  /** claude-code from npm, in this module's target folder. */
  private static void installClaudeCode() throws Exception {
    if (Files.isExecutable(CLAUDE.resolve("node_modules/.bin/claude"))) {
      return;
    }
    run(
        List.of(
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            CLAUDE.toString(),
            "@anthropic-ai/claude-code@2.1.197"));
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
