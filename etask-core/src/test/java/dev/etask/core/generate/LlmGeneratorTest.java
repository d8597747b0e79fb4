package dev.etask.core.generate;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The llm generator against an OpenAI-compatible endpoint played by WireMock. */
class LlmGeneratorTest {
  private static final String KEY = "sk-test-3f9a7c1e5b";
  private static final String PATH = "/v1/chat/completions";
  private static final String ORIGINAL = "def fee(x):\n    return x\n";

  @TempDir Path dir;
  private WireMockServer api;
  private Path repo;

  @BeforeEach
  void start() throws Exception {
    api = new WireMockServer(options().dynamicPort());
    api.start();
    repo = dir.resolve("repo");
    Files.createDirectories(repo.resolve("src"));
    Files.writeString(repo.resolve("src/pay.py"), ORIGINAL);
    Files.writeString(repo.resolve("src/other.py"), "X = 1\n");
    try (var git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile()).call()) {
      git.add().addFilepattern(".").call();
    }
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  private Generator.Outcome generate(String feedback) {
    LlmGenerator g =
        new LlmGenerator(
            new ChatClient(api.baseUrl() + "/v1", KEY, Duration.ofMillis(20)),
            "test-model",
            1000,
            0.1,
            p -> p.startsWith("tests/"));
    return g.generate(
        new Generator.Request(
            "pay",
            "Make fee() add one",
            List.of("src/pay.py"),
            "tests/**",
            feedback.isEmpty() ? 1 : 2,
            feedback,
            repo,
            dir.resolve("prompt.md"),
            dir.resolve("generate.log"),
            Duration.ofSeconds(30)));
  }

  private static String reply(String content, String usage) throws Exception {
    return "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":"
        + Json.MAPPER.writeValueAsString(content)
        + "}}]"
        + (usage == null ? "" : ",\"usage\":" + usage)
        + "}";
  }

  @Test
  void aReplyOfWholeFilesIsWrittenAndItsUsageKept() throws Exception {
    api.stubFor(
        post(urlEqualTo(PATH))
            .willReturn(
                okJson(
                    reply(
                        "Here it is.\n<<<FILE src/pay.py\n```python\ndef fee(x):\n    return x + 1\n```\n>>>END\n"
                            + "<<<FILE tests/test_pay.py\nfrom src.pay import fee\n\n\ndef test_fee():\n    assert fee(1) == 2\n>>>END\n",
                        "{\"prompt_tokens\":120,\"completion_tokens\":40,\"cost\":0.0012}"))));

    Generator.Outcome o = generate("");

    assertTrue(o.ok(), o.output());
    assertEquals("def fee(x):\n    return x + 1\n", Files.readString(repo.resolve("src/pay.py")));
    assertTrue(Files.readString(repo.resolve("tests/test_pay.py")).contains("assert fee(1) == 2"));
    assertEquals(new Generator.Usage(120, 40, 0.0012), o.usage());
    api.verify(
        postRequestedFor(urlEqualTo(PATH))
            .withHeader("Authorization", equalTo("Bearer " + KEY))
            .withRequestBody(matchingJsonPath("$.model", equalTo("test-model")))
            .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("1000")))
            .withRequestBody(containing("Make fee() add one"))
            .withRequestBody(containing("<<<FILE src/pay.py\\ndef fee(x):\\n    return x\\n>>>END"))
            .withRequestBody(containing("and files matching tests/**")));
    assertFalse(Files.readString(dir.resolve("generate.log")).contains(KEY));
  }

  @Test
  void aUnifiedDiffIsAppliedAndTheFeedbackOfTheLastAttemptIsInThePrompt() throws Exception {
    String diff =
        "--- a/src/pay.py\n+++ b/src/pay.py\n@@ -1,2 +1,2 @@\n def fee(x):\n-    return x\n+    return x + 1\n";
    api.stubFor(
        post(urlEqualTo(PATH)).willReturn(okJson(reply("```diff\n" + diff + "```\n", null))));

    Generator.Outcome o = generate("test_fee failed: assert 1 == 2");

    assertTrue(o.ok(), o.output());
    assertEquals("def fee(x):\n    return x + 1\n", Files.readString(repo.resolve("src/pay.py")));
    assertEquals(null, o.usage());
    api.verify(
        postRequestedFor(urlEqualTo(PATH))
            .withRequestBody(containing("test_fee failed: assert 1 == 2")));
  }

  @Test
  void aReplyThatTouchesAFileOutsideTheAllowlistIsRejectedWhole() throws Exception {
    api.stubFor(
        post(urlEqualTo(PATH))
            .willReturn(
                okJson(
                    reply(
                        "<<<FILE src/pay.py\ndef fee(x):\n    return 2\n>>>END\n<<<FILE src/other.py\nX = 2\n>>>END\n",
                        null))));

    Generator.Outcome o = generate("");

    assertFalse(o.ok());
    assertTrue(
        o.output().contains("the reply changes src/other.py, which this batch may not change"),
        o.output());
    assertEquals(ORIGINAL, Files.readString(repo.resolve("src/pay.py")), "nothing of it applied");
    assertEquals("X = 1\n", Files.readString(repo.resolve("src/other.py")));

    for (String escape : List.of("../outside.py", "/etc/passwd", ".git/config")) {
      api.resetAll();
      api.stubFor(
          post(urlEqualTo(PATH))
              .willReturn(okJson(reply("<<<FILE " + escape + "\nboom\n>>>END\n", null))));
      Generator.Outcome x = generate("");
      assertFalse(x.ok(), escape);
      assertTrue(x.output().contains("which this batch may not change"), x.output());
    }
    assertFalse(Files.exists(dir.resolve("outside.py")));
  }

  @Test
  void malformedRepliesSayWhatIsWrong() throws Exception {
    Map<String, String> cases =
        Map.of(
            reply("I would change fee to add one.", null),
            "holds no <<<FILE block and no unified diff",
            "this is not json",
            "answered with something that is not JSON",
            "{\"choices\":[]}",
            "answered without choices[0].message.content",
            reply(
                "```diff\n--- a/src/pay.py\n+++ b/src/pay.py\n@@ -1,2 +1,2 @@\n-nothing like this\n+x\n```",
                null),
            "does not apply to the files as they are");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      api.resetAll();
      api.stubFor(
          post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(c.getKey())));
      Generator.Outcome o = generate("");
      assertFalse(o.ok(), c.getKey());
      assertTrue(o.output().contains(c.getValue()), o.output());
      assertEquals(ORIGINAL, Files.readString(repo.resolve("src/pay.py")));
    }
  }

  @Test
  void tooManyRequestsIsRetriedAfterWhatTheEndpointSaysAndServerErrorsAreBounded()
      throws Exception {
    api.stubFor(
        post(urlEqualTo(PATH))
            .inScenario("busy")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse().withStatus(429).withHeader("Retry-After", "1").withBody("slow down"))
            .willSetStateTo("ready"));
    api.stubFor(
        post(urlEqualTo(PATH))
            .inScenario("busy")
            .whenScenarioStateIs("ready")
            .willReturn(
                okJson(
                    reply("<<<FILE src/pay.py\ndef fee(x):\n    return x + 1\n>>>END\n", null))));
    long t0 = System.nanoTime();
    Generator.Outcome o = generate("");
    assertTrue(o.ok(), o.output());
    assertTrue(
        Duration.ofNanos(System.nanoTime() - t0).toMillis() >= 1000, "waited as Retry-After said");

    api.resetAll();
    api.stubFor(
        post(urlEqualTo(PATH)).willReturn(aResponse().withStatus(503).withBody("overloaded")));
    Generator.Outcome down = generate("");
    assertFalse(down.ok());
    assertTrue(
        down.output().contains("failed 3 times; the last answer: HTTP 503 overloaded"),
        down.output());
    api.verify(3, postRequestedFor(urlEqualTo(PATH)));

    api.resetAll();
    api.stubFor(
        post(urlEqualTo(PATH))
            .willReturn(
                aResponse().withStatus(429).withHeader("Retry-After", "3600").withBody("later")));
    Generator.Outcome late = generate("");
    assertFalse(late.ok());
    assertTrue(
        late.output().contains("asks to wait 3600s (HTTP 429), past the generator's timeout"),
        late.output());
  }

  @Test
  void aRefusedKeyIsSaidWithoutTheKey() throws Exception {
    api.stubFor(
        post(urlEqualTo(PATH))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withBody(
                        "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + "\"}}")));
    Generator.Outcome o = generate("");
    assertFalse(o.ok());
    assertTrue(o.output().contains("HTTP 401: the key was refused"), o.output());
    assertFalse(o.output().contains(KEY), o.output());
    assertFalse(Files.readString(dir.resolve("generate.log")).contains(KEY));
    assertFalse(Files.readString(dir.resolve("prompt.md")).contains(KEY));
  }
}
