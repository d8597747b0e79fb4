package dev.etask.maven;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GitHub provider end to end with real Maven against a stub of the GitHub API: where the token
 * comes from (an encrypted settings.xml password, GH_TOKEN, GITHUB_TOKEN), that it reaches no file,
 * log line or git object, the GitHub Actions outputs, and offline runs refused.
 */
class GitHubIT extends MavenProcesses {
  private static final String SETTINGS_CANARY = "ghp_SETTINGSc4n4ry00000000001";
  private static final String GH_CANARY = "ghp_GHc4n4ry000000000000000002";
  private static final String GITHUB_CANARY = "ghs_GITHUBc4n4ry00000000000003";
  private WireMockServer api;

  @BeforeEach
  void startApi() {
    api = new WireMockServer(options().dynamicPort());
    api.start();
    String repo =
        "{\"name\":\"shop\",\"full_name\":\"acme/shop\",\"owner\":{\"login\":\"acme\"},"
            + "\"permissions\":{\"push\":true}}";
    api.stubFor(get(urlEqualTo("/repos/acme/shop")).willReturn(okJson(repo)));
    api.stubFor(get(urlPathEqualTo("/repos/acme/shop/pulls")).willReturn(okJson("[]")));
    for (String head : List.of("auto/one", "auto/two")) {
      int n = head.endsWith("one") ? 1 : 2;
      api.stubFor(
          post(urlEqualTo("/repos/acme/shop/pulls"))
              .withRequestBody(
                  com.github.tomakehurst.wiremock.client.WireMock.containing(
                      "\"head\":\"" + head + "\""))
              .willReturn(
                  aResponse()
                      .withStatus(201)
                      .withHeader("Content-Type", "application/json")
                      .withBody(
                          "{\"number\":"
                              + n
                              + ",\"state\":\"open\",\"html_url\":\"https://github.example/acme/shop/pull/"
                              + n
                              + "\",\"head\":{\"ref\":\""
                              + head
                              + "\"},\"labels\":[]}")));
    }
    api.stubFor(
        get(urlPathEqualTo("/repos/acme/shop/labels"))
            .willReturn(okJson("[{\"name\":\"automated\"}]")));
    api.stubFor(post(anyUrl()).atPriority(10).willReturn(okJson("[]")));
  }

  @AfterEach
  void stopApi() {
    api.stop();
  }

  private void spec(String id, String repositoryUrl) throws Exception {
    Files.writeString(
        dir.resolve(id + ".yaml"),
        """
        id: %s
        objective: "Add tests for the payment service"
        repository: { url: "%s" }
        target: { include: ["src/service/payment.py"], writable: ["tests/**"] }
        generator: { command: "python {spec_dir}/characterize.py {file}" }
        pr:
          provider: github
          github: { api_url: "%s", repository: acme/shop, server_id: gh }
        """
            .formatted(id, repositoryUrl, api.baseUrl()));
  }

  private String authorizationOf(String head) {
    List<LoggedRequest> creates =
        api.findAll(
            com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                urlEqualTo("/repos/acme/shop/pulls")));
    return creates.stream()
        .filter(r -> r.getBodyAsString().contains("\"head\":\"" + head + "\""))
        .map(r -> r.getHeader("Authorization"))
        .findFirst()
        .orElse(null);
  }

  @Test
  void theTokenComesFromSettingsOrTheEnvironmentAndIsNeverWrittenDown() throws Exception {
    // an encrypted settings.xml password, as `mvn --encrypt-password` makes it
    Path home = dir.resolve("home");
    Files.createDirectories(home.resolve(".m2"));
    String master =
        encrypt(dir.resolve("enc.log"), "--encrypt-master-password", "m4ster-pw-for-it");
    Files.writeString(
        home.resolve(".m2/settings-security.xml"),
        "<settingsSecurity><master>" + master + "</master></settingsSecurity>");
    String encrypted = encrypt(dir.resolve("enc.log"), "--encrypt-password", SETTINGS_CANARY);
    assertThat(encrypted).startsWith("{").doesNotContain(SETTINGS_CANARY);
    Files.writeString(
        dir.resolve("settings.xml"),
        "<settings><servers><server><id>gh</id><username>x</username><password>"
            + encrypted
            + "</password></server></servers></settings>");
    Path summary = dir.resolve("step-summary.md");
    Path output = dir.resolve("step-output.txt");
    spec("one", dir.resolve("origin.git").toString());
    spec("two", dir.resolve("origin.git").toString());

    Path log = dir.resolve("run.log");
    Map<String, String> env = new HashMap<>();
    env.put("GH_TOKEN", GH_CANARY);
    env.put("GITHUB_TOKEN", GITHUB_CANARY);
    env.put("GITHUB_STEP_SUMMARY", summary.toString());
    env.put("GITHUB_OUTPUT", output.toString());
    int first =
        mavenToTheEnd(
            "run", log, env, "-Detask.spec=one.yaml", "-s", dir.resolve("settings.xml").toString());
    assertThat(first).as(read(log)).isZero();
    // settings.xml comes first, decrypted
    assertThat(authorizationOf("auto/one")).isEqualTo("Bearer " + SETTINGS_CANARY);
    assertThat(read(log)).contains("token from settings.xml server 'gh'");

    // without settings, GH_TOKEN; without both, GITHUB_TOKEN
    int second =
        mavenToTheEnd("run", log, Map.of("GITHUB_TOKEN", GITHUB_CANARY), "-Detask.spec=two.yaml");
    assertThat(second).as(read(log)).isZero();
    assertThat(authorizationOf("auto/two")).isEqualTo("Bearer " + GITHUB_CANARY);
    assertThat(read(log)).contains("token from GITHUB_TOKEN");

    // GitHub Actions: the summary table and the step outputs
    assertThat(read(summary))
        .contains("### etask `one`: exit 0")
        .contains("| metric | before | after | Δ |")
        .contains("Pull request: https://github.example/acme/shop/pull/1");
    assertThat(read(output))
        .contains("pr_url=https://github.example/acme/shop/pull/1\n")
        .contains("exit_code=0\n")
        .contains("risk_level=");

    List<Path> scanned = filesUnder(dir.resolve("target"));
    scanned.addAll(List.of(log, summary, output));
    assertThat(
            leaks(
                List.of(SETTINGS_CANARY, GH_CANARY, GITHUB_CANARY),
                scanned,
                List.of(
                    dir.resolve("origin.git"),
                    dir.resolve("target/etask/one/repo"),
                    dir.resolve("target/etask/two/repo"))))
        .isEmpty();
    assertThat(read(dir.resolve("target/etask/one/repo/.git/config")))
        .doesNotContain("[remote")
        .doesNotContain("url =");
  }

  @Test
  void offlineANetworkOriginOrGithubIsRefusedAndNothingIsCloned() throws Exception {
    spec("net", "https://github.com/acme/shop.git");
    Path log = dir.resolve("offline.log");
    int exit =
        mavenToTheEnd("run", log, Map.of("GH_TOKEN", GH_CANARY), "-o", "-Detask.spec=net.yaml");
    assertThat(exit).isNotZero();
    assertThat(read(log))
        .contains(
            "Maven runs offline (-o) and this task needs the origin https://github.com/acme/shop.git")
        .contains("[OFFLINE]")
        .contains("run without -o");
    assertThat(dir.resolve("target/etask/net/repo")).doesNotExist();

    spec("api", dir.resolve("origin.git").toString());
    int local =
        mavenToTheEnd("run", log, Map.of("GH_TOKEN", GH_CANARY), "-o", "-Detask.spec=api.yaml");
    assertThat(local).isNotZero();
    assertThat(read(log)).contains("this task needs GitHub's API (" + api.baseUrl() + ")");
    assertThat(api.getAllServeEvents()).isEmpty();
  }

  private String encrypt(Path log, String option, String secret) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(System.getProperty("etask.it.mvnw"), "-q", option, secret)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().put("MAVEN_OPTS", "-Duser.home=" + dir.resolve("home"));
    assertThat(pb.start().waitFor()).isZero();
    String out = read(log).strip();
    return out.substring(out.lastIndexOf('\n') + 1).strip();
  }
}
