package dev.etask.maven;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
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
 * pr.semantic_review end to end (the demo task, real gates): a model played by WireMock rates the
 * accepted diff; its rating is a label, a PR section and the risk level; an endpoint that fails
 * never fails the task.
 */
class SemanticReviewIT extends MavenProcesses {
  private static final String KEY = "sk-review-it-0a9b8c7d6e";
  private WireMockServer api;

  @BeforeEach
  void start() throws Exception {
    api = new WireMockServer(options().dynamicPort());
    api.start();
    Files.writeString(
        dir.resolve("task.yaml"),
        "id: reviewed\nobjective: \"Add unit tests for the payment module\"\n"
            + "repository: { url: origin.git }\n"
            + "target: { include: [\"src/service/payment.py\"], writable: [\"tests/**\"] }\n"
            + "generator: { command: \"python {spec_dir}/characterize.py {file}\" }\n"
            + "pr:\n  provider: local\n  semantic_review: { base_url: '"
            + api.baseUrl()
            + "/v1', model: reviewer-1, api_key_env: ETASK_IT_REVIEW_KEY }\n");
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  private JsonNode run(Path log) throws Exception {
    int exit = mavenToTheEnd("run", log, Map.of("ETASK_IT_REVIEW_KEY", KEY));
    JsonNode status =
        Json.MAPPER.readTree(dir.resolve("target/etask/artifacts/reviewed/status.json").toFile());
    assertThat(exit).as("exit codes 0 and 2 pass the build: " + read(log)).isZero();
    return status;
  }

  @Test
  void aHighRatingIsALabelAPrSectionAndTheRiskLevel() throws Exception {
    String reply =
        "{\"risk\": \"high\", \"reasons\": [\"the tests pin rounding that looks like a bug\"]}";
    api.stubFor(
        post(urlEqualTo("/v1/chat/completions"))
            .willReturn(
                okJson(
                    "{\"choices\":[{\"message\":{\"content\":"
                        + Json.MAPPER.writeValueAsString(reply)
                        + "}}]}")));
    Path log = dir.resolve("high.log");
    JsonNode status = run(log);

    api.verify(
        1,
        postRequestedFor(urlEqualTo("/v1/chat/completions"))
            .withRequestBody(containing("+++ b/tests/test_payment.py"))
            .withRequestBody(containing("reviewer-1")));
    assertThat(status.path("exit_code").asInt()).as("a high rating wants a person").isEqualTo(2);
    assertThat(status.path("risk_level").asText()).isEqualTo("high");
    assertThat(status.path("labels").toString()).contains("semantic-risk-high");
    assertThat(status.path("semantic_review").path("risk").asText()).isEqualTo("high");
    String body = Files.readString(dir.resolve("target/etask/artifacts/reviewed/pr.md"));
    assertThat(body)
        .contains(
            "**Semantic review** (`reviewer-1`, a model's reading of the accepted diff): risk **high**")
        .contains("- the tests pin rounding that looks like a bug");
    List<Path> files = filesUnder(dir.resolve("target"));
    files.add(log);
    assertThat(leaks(List.of(KEY), files, List.of(dir.resolve("origin.git")))).isEmpty();
  }

  @Test
  void aFailingEndpointNeverFailsTheTaskAndThePrSaysSo() throws Exception {
    api.stubFor(
        post(urlEqualTo("/v1/chat/completions"))
            .willReturn(aResponse().withStatus(401).withBody("bad key " + KEY)));
    Path log = dir.resolve("down.log");
    JsonNode status = run(log);

    assertThat(status.path("exit_code").asInt()).isZero();
    assertThat(status.path("risk_level").asText()).isEqualTo("low");
    assertThat(status.path("labels").toString()).doesNotContain("semantic-risk");
    assertThat(status.path("semantic_review").path("error").asText()).contains("HTTP 401");
    String body = Files.readString(dir.resolve("target/etask/artifacts/reviewed/pr.md"));
    assertThat(body).contains("**Semantic review:** could not run (").contains("HTTP 401");
    List<Path> files = filesUnder(dir.resolve("target"));
    files.add(log);
    assertThat(leaks(List.of(KEY), files, List.of(dir.resolve("origin.git")))).isEmpty();
  }
}
