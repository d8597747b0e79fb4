package dev.etask.maven;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A task whose batches a model writes ({@code type: llm}), end to end with real git, Python and
 * gates, the OpenAI-compatible endpoint played by WireMock: the reply's test file is judged and
 * delivered, the usage lands in status.json, and the key is nowhere but in the request's header.
 */
class LlmIT extends MavenProcesses {
  private static final String KEY = "sk-it-8c2f6b1d9e4a";
  private static final String TEST =
      "from src.service.payment import PaymentError, calculate_fee\n"
          + "import pytest\n\n\n"
          + "def test_bank_transfer_fee_is_capped() -> None:\n"
          + "    assert calculate_fee(10_000, \"bank_transfer\") == 5.0\n\n\n"
          + "def test_negative_amount_is_refused() -> None:\n"
          + "    with pytest.raises(PaymentError):\n"
          + "        calculate_fee(-1)\n";

  private WireMockServer api;

  @BeforeEach
  void start() {
    api = new WireMockServer(options().dynamicPort());
    api.start();
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  private void spec() throws Exception {
    Files.writeString(
        dir.resolve("task.yaml"),
        "id: llm-payment\ntype: llm\nobjective: \"Add tests of payment fees\"\n"
            + "repository: { url: origin.git }\n"
            + "target: { include: [\"src/service/payment.py\"], writable: [\"tests/**\"] }\n"
            + "generator:\n  llm: { base_url: '"
            + api.baseUrl()
            + "/v1', model: test-model, api_key_env: ETASK_IT_LLM_KEY }\n"
            + "pr: { provider: local }\n");
  }

  @Test
  void theModelsTestsAreJudgedAndDeliveredAndTheKeyStaysInTheHeader() throws Exception {
    spec();
    String content = "Two tests.\n<<<FILE tests/test_payment_fees.py\n" + TEST + ">>>END\n";
    api.stubFor(
        post(urlEqualTo("/v1/chat/completions"))
            .willReturn(
                okJson(
                    "{\"choices\":[{\"message\":{\"content\":"
                        + Json.MAPPER.writeValueAsString(content)
                        + "}}],\"usage\":{\"prompt_tokens\":900,\"completion_tokens\":80}}")));
    Path log = dir.resolve("run.log");
    int exit = mavenToTheEnd("run", log, Map.of("ETASK_IT_LLM_KEY", KEY));

    assertThat(exit).as(read(log)).isZero();
    api.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/chat/completions"))
            .withHeader("Authorization", equalTo("Bearer " + KEY)));
    assertThat(
            git(dir.resolve("origin.git"), "show", "auto/llm-payment:tests/test_payment_fees.py"))
        .contains("def test_bank_transfer_fee_is_capped");
    Path artifacts = dir.resolve("target/etask/artifacts/llm-payment");
    JsonNode status = Json.MAPPER.readTree(artifacts.resolve("status.json").toFile());
    JsonNode batch = status.path("batches").get(0);
    assertThat(batch.path("decision").asText()).isEqualTo("accept");
    assertThat(batch.path("usage").path("prompt_tokens").asLong()).isEqualTo(900);
    assertThat(batch.path("usage").path("completion_tokens").asLong()).isEqualTo(80);
    assertThat(status.path("labels").toString()).contains("llm");
    List<Path> files = filesUnder(dir.resolve("target"));
    files.add(log);
    assertThat(leaks(List.of(KEY), files, List.of(dir.resolve("origin.git")))).isEmpty();
  }

  @Test
  void aMissingKeyIsSaidBeforeAnythingIsCloned() throws Exception {
    spec();
    Path log = dir.resolve("nokey.log");
    int exit = mavenToTheEnd("run", log, Map.of());
    assertThat(exit).isNotZero();
    assertThat(read(log))
        .contains("generator.llm needs its API key in the environment variable ETASK_IT_LLM_KEY")
        .contains("export ETASK_IT_LLM_KEY=");
    assertThat(dir.resolve("target/etask/llm-payment/repo")).doesNotExist();
    api.verify(0, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }
}
