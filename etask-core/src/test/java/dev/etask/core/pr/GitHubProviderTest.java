package dev.etask.core.pr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.etask.core.spec.EtaskException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The GitHub provider against a stub of the GitHub API (WireMock): every endpoint and error. */
class GitHubProviderTest {
  private static final String TOKEN = "ghp_canaryTOKEN1234567890abcdef";
  private static final String REPO = "/repos/acme/shop";
  private WireMockServer api;
  private final List<String> warnings = new ArrayList<>();
  private final List<Duration> slept = new ArrayList<>();
  private Duration budget = Duration.ofHours(1);

  @BeforeEach
  void start() {
    api = new WireMockServer(options().dynamicPort());
    api.start();
    api.stubFor(get(urlEqualTo(REPO)).willReturn(okJson(repo(true))));
    api.stubFor(
        get(urlPathEqualTo(REPO + "/labels")).willReturn(okJson("[{\"name\":\"automated\"}]")));
    api.stubFor(
        post(urlEqualTo(REPO + "/labels"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"name\":\"x\"}")));
    api.stubFor(post(urlEqualTo(REPO + "/issues/7/labels")).willReturn(okJson("[]")));
    api.stubFor(patch(urlEqualTo(REPO + "/pulls/7")).willReturn(okJson(pr("open"))));
    api.stubFor(delete(urlEqualTo(REPO + "/issues/7/labels/partial")).willReturn(okJson("[]")));
  }

  @AfterEach
  void stop() {
    api.stop();
  }

  private GitHubProvider provider(List<String> reviewers) {
    return new GitHubProvider(
        new GitHubProvider.Settings(api.baseUrl(), "acme/shop", TOKEN, reviewers),
        () -> budget,
        warnings::add,
        Duration.ofMillis(10),
        slept::add);
  }

  private static String repo(boolean push) {
    return "{\"name\":\"shop\",\"full_name\":\"acme/shop\",\"owner\":{\"login\":\"acme\"},"
        + "\"html_url\":\"https://github.example/acme/shop\",\"permissions\":{\"push\":"
        + push
        + ",\"pull\":true}}";
  }

  private String pr(String state) {
    return "{\"number\":7,\"state\":\""
        + state
        + "\",\"title\":\"old title\",\"body\":\"old body\","
        + "\"html_url\":\"https://github.example/acme/shop/pull/7\","
        + "\"url\":\""
        + api.baseUrl()
        + REPO
        + "/pulls/7\",\"head\":{\"ref\":\"auto/t\"},\"base\":{\"ref\":\"main\"},"
        + "\"labels\":[{\"name\":\"automated\"},{\"name\":\"partial\"}]}";
  }

  private static PullRequest request(int known) {
    return new PullRequest(
        "chore(etask): t",
        "the body",
        "auto/t",
        "main",
        List.of("automated", "coverage-risk"),
        false,
        List.of("partial"),
        known);
  }

  private void noOpenPr() {
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .withQueryParam("head", equalTo("acme:auto/t"))
            .withQueryParam("state", equalTo("open"))
            .willReturn(okJson("[]")));
  }

  @Test
  void createsThePrWithLabelsAndReviewersThenUpdatesTheSameOne() throws Exception {
    noOpenPr();
    api.stubFor(
        post(urlEqualTo(REPO + "/pulls"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(pr("open"))));
    api.stubFor(
        get(urlEqualTo("/users/alice")).willReturn(okJson("{\"login\":\"alice\",\"id\":1}")));
    api.stubFor(
        post(urlEqualTo(REPO + "/pulls/7/requested_reviewers"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(pr("open"))));
    api.stubFor(delete(urlEqualTo(REPO + "/issues/7/labels/partial")).willReturn(okJson("[]")));
    List<PullRequestProvider.Published> heard = new ArrayList<>();

    GitHubProvider github = provider(List.of("alice"));
    github.check();
    PullRequestProvider.Published made = github.publish(request(0), heard::add);

    assertThat(made.created()).isTrue();
    assertThat(made.number()).isEqualTo(7);
    assertThat(made.url()).isEqualTo("https://github.example/acme/shop/pull/7");
    assertThat(heard).extracting(PullRequestProvider.Published::number).containsExactly(7);
    api.verify(
        1,
        postRequestedFor(urlEqualTo(REPO + "/pulls"))
            .withHeader("Authorization", equalTo("Bearer " + TOKEN))
            .withRequestBody(matchingJsonPath("$.head", equalTo("auto/t")))
            .withRequestBody(matchingJsonPath("$.base", equalTo("main")))
            .withRequestBody(matchingJsonPath("$.draft", equalTo("false"))));
    // the missing label is made with a colour; the existing one is not made again
    api.verify(
        1,
        postRequestedFor(urlEqualTo(REPO + "/labels"))
            .withRequestBody(matchingJsonPath("$.name", equalTo("coverage-risk")))
            .withRequestBody(matchingJsonPath("$.color", equalTo("fbca04"))));
    api.verify(
        postRequestedFor(urlEqualTo(REPO + "/issues/7/labels"))
            .withRequestBody(containing("coverage-risk")));
    api.verify(
        1,
        postRequestedFor(urlEqualTo(REPO + "/pulls/7/requested_reviewers"))
            .withRequestBody(containing("alice")));
    // a label etask set last time that no longer applies goes
    api.verify(1, deleteRequestedFor(urlEqualTo(REPO + "/issues/7/labels/partial")));

    // the second run knows the number: the same PR is updated, none is opened
    api.stubFor(get(urlEqualTo(REPO + "/pulls/7")).willReturn(okJson(pr("open"))));
    PullRequestProvider.Published again =
        provider(List.of("alice")).publish(request(7), heard::add);
    assertThat(again.created()).isFalse();
    assertThat(again.number()).isEqualTo(7);
    assertThat(heard).hasSize(1);
    api.verify(1, postRequestedFor(urlEqualTo(REPO + "/pulls")));
    api.verify(
        patchRequestedFor(urlEqualTo(REPO + "/pulls/7"))
            .withRequestBody(matchingJsonPath("$.title", equalTo("chore(etask): t"))));
    api.verify(
        patchRequestedFor(urlEqualTo(REPO + "/pulls/7"))
            .withRequestBody(matchingJsonPath("$.body", equalTo("the body"))));
    api.verify(1, postRequestedFor(urlEqualTo(REPO + "/pulls/7/requested_reviewers")));
    // never GET /user, which the GITHUB_TOKEN of GitHub Actions cannot call
    api.verify(0, getRequestedFor(urlEqualTo("/user")));
    assertThat(api.getAllServeEvents())
        .allSatisfy(e -> assertThat(e.getRequest().getUrl()).doesNotContain(TOKEN));
  }

  @Test
  void aCreateWhoseAnswerIsLostEndsWithExactlyOnePr() throws Exception {
    String scenario = "lost answer";
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(okJson("[]")));
    api.stubFor(
        post(urlEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(502).withBody("Bad Gateway"))
            .willSetStateTo("created"));
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .whenScenarioStateIs("created")
            .willReturn(okJson("[" + pr("open") + "]")));

    PullRequestProvider.Published p = provider(List.of()).publish(request(0), x -> {});

    assertThat(p.number()).isEqualTo(7);
    api.verify(1, postRequestedFor(urlEqualTo(REPO + "/pulls")));
    assertThat(warnings).anyMatch(w -> w.contains("HTTP 502") && w.contains("retry 1/4"));
  }

  @Test
  void alreadyExistsIsAnUpdate() throws Exception {
    String scenario = "raced";
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(okJson("[]")));
    api.stubFor(
        post(urlEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .willReturn(
                aResponse()
                    .withStatus(422)
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"message\":\"Validation Failed\",\"errors\":[{\"message\":\"A pull request already exists for acme:auto/t.\"}]}"))
            .willSetStateTo("exists"));
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .inScenario(scenario)
            .whenScenarioStateIs("exists")
            .willReturn(okJson("[" + pr("open") + "]")));
    PullRequestProvider.Published p = provider(List.of()).publish(request(0), x -> {});
    assertThat(p.number()).isEqualTo(7);
    api.verify(1, postRequestedFor(urlEqualTo(REPO + "/pulls")));
  }

  @Test
  void tokenAndRepositoryErrorsSayWhatToFix() {
    api.stubFor(
        get(urlEqualTo(REPO))
            .willReturn(
                aResponse()
                    .withStatus(401)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Bad credentials\"}")));
    assertThatThrownBy(() -> provider(List.of()).check())
        .isInstanceOf(EtaskException.class)
        .satisfies(
            e ->
                assertThat(((EtaskException) e).code())
                    .isEqualTo(EtaskException.Code.TOKEN_REJECTED))
        .hasMessageContaining("401 Bad credentials")
        .satisfies(e -> assertThat(((EtaskException) e).nextStep()).contains("GH_TOKEN"));

    api.stubFor(
        get(urlEqualTo(REPO))
            .willReturn(
                aResponse()
                    .withStatus(404)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Not Found\"}")));
    assertThatThrownBy(() -> provider(List.of()).check())
        .satisfies(
            e ->
                assertThat(((EtaskException) e).code())
                    .isEqualTo(EtaskException.Code.REPOSITORY_NOT_FOUND))
        .hasMessageContaining("acme/shop");

    api.stubFor(get(urlEqualTo(REPO)).willReturn(okJson(repo(false))));
    assertThatThrownBy(() -> provider(List.of()).check())
        .satisfies(
            e ->
                assertThat(((EtaskException) e).code())
                    .isEqualTo(EtaskException.Code.TOKEN_REJECTED))
        .hasMessageContaining("may not push")
        .satisfies(
            e -> assertThat(((EtaskException) e).nextStep()).contains("pull-requests: write"));
    assertThat(slept).isEmpty(); // none of these is worth a retry
  }

  @Test
  void aLabelTheTokenMayNotCreateIsAWarning() throws Exception {
    noOpenPr();
    api.stubFor(
        post(urlEqualTo(REPO + "/pulls"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody(pr("open"))));
    api.stubFor(
        post(urlEqualTo(REPO + "/labels"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Resource not accessible by integration\"}")));
    assertThat(provider(List.of()).publish(request(0), x -> {}).number()).isEqualTo(7);
    assertThat(warnings).anyMatch(w -> w.contains("coverage-risk") && w.contains("403"));
    // automated is on the PR already; the label that cannot exist is not asked for
    api.verify(0, postRequestedFor(urlEqualTo(REPO + "/issues/7/labels")));
  }

  @Test
  void rateLimitsAndServerErrorsAreRetriedAfterWhatGithubAsks() {
    String scenario = "limits";
    api.stubFor(
        get(urlEqualTo(REPO))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3").withBody("{}"))
            .willSetStateTo("secondary"));
    api.stubFor(
        get(urlEqualTo(REPO))
            .inScenario(scenario)
            .whenScenarioStateIs("secondary")
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Retry-After", "5")
                    .withHeader("Content-Type", "application/json")
                    .withBody(
                        "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\"}"))
            .willSetStateTo("primary"));
    long reset = java.time.Instant.now().getEpochSecond() + 20;
    api.stubFor(
        get(urlEqualTo(REPO))
            .inScenario(scenario)
            .whenScenarioStateIs("primary")
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("x-ratelimit-remaining", "0")
                    .withHeader("x-ratelimit-limit", "5000")
                    .withHeader("x-ratelimit-reset", String.valueOf(reset))
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"API rate limit exceeded\"}"))
            .willSetStateTo("broken"));
    api.stubFor(
        get(urlEqualTo(REPO))
            .inScenario(scenario)
            .whenScenarioStateIs("broken")
            .willReturn(aResponse().withStatus(503))
            .willSetStateTo("ok"));
    api.stubFor(
        get(urlEqualTo(REPO))
            .inScenario(scenario)
            .whenScenarioStateIs("ok")
            .willReturn(okJson(repo(true))));

    provider(List.of()).check();

    assertThat(slept).hasSize(4);
    assertThat(slept.get(0)).isEqualTo(Duration.ofSeconds(3));
    assertThat(slept.get(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(slept.get(2)).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(22));
    assertThat(slept.get(3)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void retriesStopAtTheLimitAndAtTheTimeBudget() {
    api.stubFor(get(urlEqualTo(REPO)).willReturn(aResponse().withStatus(502)));
    assertThatThrownBy(() -> provider(List.of()).check())
        .satisfies(
            e -> assertThat(((EtaskException) e).code()).isEqualTo(EtaskException.Code.PR_FAILED))
        .hasMessageContaining("HTTP 502")
        .hasMessageContaining("after 5 attempts");
    api.verify(5, getRequestedFor(urlEqualTo(REPO)));

    api.resetRequests();
    slept.clear();
    budget = Duration.ofSeconds(30);
    api.stubFor(
        get(urlEqualTo(REPO))
            .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "600")));
    assertThatThrownBy(() -> provider(List.of()).check())
        .hasMessageContaining("asks to wait 600s")
        .hasMessageContaining("30s left");
    assertThat(slept).isEmpty();
  }

  @Test
  void aBodyOverGithubsLimitIsCutWithANote() {
    String huge = "x".repeat(GitHubProvider.MAX_BODY + 5000);
    String fitted = GitHubProvider.fit(huge);
    assertThat(fitted)
        .hasSizeLessThanOrEqualTo(GitHubProvider.MAX_BODY)
        .endsWith("the full text is the task's pr.md artifact.\n");
    assertThat(GitHubProvider.fit("short")).isEqualTo("short");
  }

  @Test
  void closingTheFailurePrCommentsAndCloses() throws Exception {
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls"))
            .withQueryParam("head", equalTo("acme:auto/t-fail"))
            .willReturn(
                okJson(
                    "["
                        + pr("open").replace("\"ref\":\"auto/t\"", "\"ref\":\"auto/t-fail\"")
                        + "]")));
    api.stubFor(
        post(urlEqualTo(REPO + "/issues/7/comments"))
            .willReturn(
                aResponse()
                    .withStatus(201)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"id\":1,\"body\":\"x\"}")));
    assertThat(provider(List.of()).close("auto/t-fail", "Superseded by https://x/pull/8"))
        .contains("https://github.example/acme/shop/pull/7");
    api.verify(
        postRequestedFor(urlEqualTo(REPO + "/issues/7/comments"))
            .withRequestBody(containing("Superseded by https://x/pull/8")));
    api.verify(
        patchRequestedFor(urlEqualTo(REPO + "/pulls/7"))
            .withRequestBody(matchingJsonPath("$.state", equalTo("closed"))));
    api.stubFor(get(urlPathEqualTo(REPO + "/pulls")).willReturn(okJson("[]")));
    assertThat(provider(List.of()).close("auto/t-fail", "x")).isEmpty();
  }

  @Test
  void aRedirectToAnotherHostNeverCarriesTheToken() throws Exception {
    WireMockServer other = new WireMockServer(options().dynamicPort());
    other.start();
    try {
      other.stubFor(get(anyUrl()).willReturn(okJson(repo(true))));
      api.stubFor(
          get(urlEqualTo(REPO))
              .willReturn(
                  aResponse().withStatus(301).withHeader("Location", other.baseUrl() + REPO)));
      try {
        provider(List.of()).check();
      } catch (EtaskException e) {
        // whether the library follows it or not, the token must not travel
      }
      assertThat(other.getAllServeEvents())
          .allSatisfy(e -> assertThat(e.getRequest().containsHeader("Authorization")).isFalse());
    } finally {
      other.stop();
    }
  }

  @Test
  void aTokenWhoseAnswerShowsNoPermissionsIsNotRefused() {
    // GitHub Actions' GITHUB_TOKEN: GET /repos/{owner}/{repo} has no "permissions" for it
    api.stubFor(
        get(urlEqualTo(REPO))
            .willReturn(
                okJson(
                    "{\"name\":\"shop\",\"full_name\":\"acme/shop\",\"owner\":{\"login\":\"acme\"}}")));
    provider(List.of()).check();
  }

  @Test
  void etasksOwnStaleLabelsGoEvenWithoutMemoryAndLabelFailuresAreWarnings() throws Exception {
    api.stubFor(get(urlEqualTo(REPO + "/pulls/7")).willReturn(okJson(pr("open"))));
    api.stubFor(
        post(urlEqualTo(REPO + "/issues/7/labels"))
            .willReturn(
                aResponse()
                    .withStatus(403)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"message\":\"Resource not accessible\"}")));
    PullRequest fresh =
        new PullRequest(
            "t", "b", "auto/t", "main", List.of("automated", "coverage-risk"), false, List.of(), 7);
    PullRequestProvider.Published p = provider(List.of()).publish(fresh, x -> {});
    assertThat(p.number()).isEqualTo(7);
    // "partial" is one of etask's labels and no longer applies: it goes though no state remembers
    // it
    api.verify(1, deleteRequestedFor(urlEqualTo(REPO + "/issues/7/labels/partial")));
    assertThat(warnings).anyMatch(w -> w.contains("could not set the labels of #7"));
  }

  @Test
  void aMergedPrIsSaidToBeMerged() throws Exception {
    api.stubFor(
        get(urlEqualTo(REPO + "/pulls/7"))
            .willReturn(
                okJson(
                    pr("closed")
                        .replace("\"state\":\"closed\"", "\"state\":\"closed\",\"merged\":true"))));
    assertThat(provider(List.of()).state(7)).isEqualTo(PullRequestProvider.State.MERGED);
    api.stubFor(
        get(urlEqualTo(REPO + "/pulls/7"))
            .willReturn(
                okJson(
                    pr("closed")
                        .replace(
                            "\"state\":\"closed\"", "\"state\":\"closed\",\"merged\":false"))));
    assertThat(provider(List.of()).state(7)).isEqualTo(PullRequestProvider.State.CLOSED);
  }

  @Test
  void reviewCommentsOnFilesAndOnThePullRequestAreRead() throws Exception {
    api.stubFor(get(urlEqualTo(REPO + "/pulls/7")).willReturn(okJson(pr("open"))));
    api.stubFor(
        get(urlPathEqualTo(REPO + "/pulls/7/comments"))
            .willReturn(
                okJson(
                    "[{\"id\": 11, \"path\": \"src/pay.py\", \"body\": \"Test the cap too.\","
                        + " \"user\": {\"login\": \"alice\"}}]")));
    api.stubFor(
        get(urlPathEqualTo(REPO + "/issues/7/comments"))
            .willReturn(
                okJson(
                    "[{\"id\": 12, \"body\": \"Shorter names, please.\","
                        + " \"user\": {\"login\": \"bob\"}}]")));
    // hub4j reads each author (once)
    api.stubFor(get(urlEqualTo("/users/alice")).willReturn(okJson("{\"login\": \"alice\"}")));
    api.stubFor(get(urlEqualTo("/users/bob")).willReturn(okJson("{\"login\": \"bob\"}")));
    assertThat(provider(List.of()).comments(7))
        .containsExactly(
            new PullRequestProvider.Comment(
                "review-11", "alice", "src/pay.py", "Test the cap too."),
            new PullRequestProvider.Comment("issue-12", "bob", null, "Shorter names, please."));
  }
}
