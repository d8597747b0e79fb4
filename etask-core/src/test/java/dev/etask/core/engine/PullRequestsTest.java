package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etask.core.git.Origin;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which provider {@code auto} means, where the token comes from, and where it may go. */
class PullRequestsTest {
  private static TaskSpec spec(String pr) {
    return SpecLoader.parse(
        Path.of("/t.yaml"),
        "id: t\nobjective: o\ntarget: { include: [\"a.py\"] }\ngenerator: { command: g }\n" + pr);
  }

  private static Engine.Config config(Map<String, String> servers, Map<String, String> env) {
    return new Engine.Config(
        Path.of("/t.yaml"),
        Path.of("/w"),
        null,
        Path.of("/"),
        List.of(),
        null,
        false,
        servers,
        env,
        false,
        null);
  }

  @Test
  void autoIsGithubForGithubOriginsOrAGithubSectionElseLocal() {
    TaskSpec auto = spec("");
    assertThat(PullRequests.provider(auto, Origin.parse("https://github.com/acme/shop.git")))
        .isEqualTo("github");
    assertThat(PullRequests.provider(auto, Origin.parse("git@github.com:acme/shop.git")))
        .isEqualTo("github");
    assertThat(PullRequests.provider(auto, Origin.parse("https://gitlab.com/acme/shop.git")))
        .isEqualTo("local");
    assertThat(PullRequests.provider(auto, Origin.local("/srv/shop.git"))).isEqualTo("local");
    assertThat(
            PullRequests.provider(
                spec("pr: { github: { api_url: https://ghe.corp/api/v3 } }\n"),
                Origin.parse("https://ghe.corp/acme/shop.git")))
        .isEqualTo("github");
    assertThat(
            PullRequests.provider(
                spec("pr: { provider: local }\n"), Origin.parse("https://github.com/a/b.git")))
        .isEqualTo("local");
  }

  @Test
  void theTokenIsTheSettingsServerThenGhTokenThenGithubToken() {
    TaskSpec s = spec("pr: { github: { server_id: gh } }\n");
    Map<String, String> both = Map.of("GH_TOKEN", "gh-t", "GITHUB_TOKEN", "github-t");
    assertThat(PullRequests.token(config(Map.of("gh", "settings-t"), both), s))
        .hasValueSatisfying(
            t ->
                assertThat(t)
                    .isEqualTo(new PullRequests.Token("settings-t", "settings.xml server 'gh'")));
    assertThat(PullRequests.token(config(Map.of("other", "x"), both), s).get().value())
        .isEqualTo("gh-t");
    assertThat(
            PullRequests.token(config(Map.of(), Map.of("GITHUB_TOKEN", "github-t")), s)
                .get()
                .source())
        .isEqualTo("GITHUB_TOKEN");
    assertThat(PullRequests.token(config(Map.of("gh", " "), Map.of("GH_TOKEN", "")), s)).isEmpty();
  }

  @Test
  void theRepositoryComesFromTheSpecOrTheOriginAndTheGitHostFromTheApi() {
    assertThat(PullRequests.repository(spec(""), Origin.parse("git@github.com:acme/shop.git")))
        .isEqualTo("acme/shop");
    assertThat(
            PullRequests.repository(
                spec("pr: { github: { repository: o/n } }\n"), Origin.local("/x.git")))
        .isEqualTo("o/n");
    assertThatThrownBy(() -> PullRequests.repository(spec(""), Origin.local("/x.git")))
        .isInstanceOf(EtaskException.class)
        .satisfies(
            e -> assertThat(((EtaskException) e).nextStep()).contains("pr.github.repository"));
    assertThat(PullRequests.gitHost(spec(""))).isEqualTo("github.com");
    assertThat(PullRequests.gitHost(spec("pr: { github: { api_url: https://ghe.corp/api/v3 } }\n")))
        .isEqualTo("ghe.corp");
  }

  @Test
  void aTokenIsAnHttpsCredentialNeverPartOfTheUrl() {
    Origin https =
        Origin.parse("https://github.com/acme/shop.git").withToken("x-access-token", "tok");
    assertThat(https.url()).isEqualTo("https://github.com/acme/shop.git");
    assertThat(https.hasCredentials()).isTrue();
    assertThat(https.toString()).doesNotContain("tok");
    // a URL with its own credentials keeps them; ssh and paths ignore the token
    Origin own =
        Origin.parse("https://me:mine@github.com/a/b.git").withToken("x-access-token", "tok");
    assertThat(own.secrets()).containsExactly("mine");
    assertThat(Origin.parse("git@github.com:a/b.git").withToken("x", "tok").hasCredentials())
        .isFalse();
    assertThat(Origin.local("/x.git").withToken("x", "tok").hasCredentials()).isFalse();
    assertThat(Origin.parse("ssh://git@host:2222/a/b.git").isSsh()).isTrue();
    assertThat(Origin.parse("git@host:a/b.git").host()).isEqualTo("host");
    assertThat(Origin.parse("file:///srv/x.git").isLocal()).isTrue();
  }
}
