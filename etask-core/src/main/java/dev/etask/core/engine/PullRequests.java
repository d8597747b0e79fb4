package dev.etask.core.engine;

import dev.etask.core.git.Origin;
import dev.etask.core.pr.GitHubProvider;
import dev.etask.core.pr.LocalProvider;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which PR provider a task uses and with which token (docs/ARCHITECTURE.md §9). {@code auto} is
 * GitHub when the origin is on github.com or {@code pr.github} is set, else the local record. The
 * token is the first found of: the settings.xml server {@code pr.github.server_id} (decrypted),
 * {@code GH_TOKEN}, {@code GITHUB_TOKEN}; it goes to JGit as a credential and to the API as a
 * header, never into a URL, a file or a child's environment.
 */
final class PullRequests {
  /** A token and where it was found (for messages: never the token itself). */
  record Token(String value, String source) {}

  /** Git's user name for a token on GitHub (also right for GitHub Actions' GITHUB_TOKEN). */
  static final String TOKEN_USER = "x-access-token";

  private PullRequests() {}

  static String provider(TaskSpec spec, Origin origin) {
    return switch (spec.pr().provider()) {
      case GITHUB -> "github";
      case LOCAL -> "local";
      case NONE -> "none";
      case AUTO ->
          spec.pr().github().configured() || isGithubCom(origin.host()) ? "github" : "local";
    };
  }

  static Optional<Token> token(Engine.Config config, TaskSpec spec) {
    String server = spec.pr().github().serverId();
    String fromSettings = config.servers().get(server);
    if (fromSettings != null && !fromSettings.isBlank()) {
      return Optional.of(new Token(fromSettings.strip(), "settings.xml server '" + server + "'"));
    }
    for (String name : new String[] {"GH_TOKEN", "GITHUB_TOKEN"}) {
      String v = config.environment().get(name);
      if (v != null && !v.isBlank()) {
        return Optional.of(new Token(v.strip(), name));
      }
    }
    return Optional.empty();
  }

  private static boolean isGithubCom(String host) {
    return host != null
        && Set.of("github.com", "www.github.com", "ssh.github.com")
            .contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * The host git pushes to for this API: github.com for the public API, {@code X.ghe.com} for
   * {@code api.X.ghe.com} (GHE.com), the API's own host for GitHub Enterprise Server.
   */
  static String gitHost(TaskSpec spec) {
    String host = URI.create(spec.pr().github().apiUrl()).getHost();
    if (host == null || host.equalsIgnoreCase("api.github.com")) {
      return "github.com";
    }
    return host.toLowerCase(Locale.ROOT).startsWith("api.") ? host.substring(4) : host;
  }

  /** {@code owner/name}: pr.github.repository, else what the origin URL says. */
  static String repository(TaskSpec spec, Origin origin) {
    String configured = spec.pr().github().repository();
    if (configured != null) {
      return configured;
    }
    String fromUrl = origin.ownerAndName();
    if (fromUrl == null) {
      throw new EtaskException(
          Code.SPEC_INVALID,
          "pr.provider is github but the origin " + origin.url() + " does not name a repository",
          Hints.githubRepository());
    }
    return fromUrl;
  }

  /**
   * PREPARE, before anything is pushed: the provider, and for GitHub a token that may push to the
   * repository ({@code GET /repos/{owner}/{repo}}, never {@code GET /user}).
   */
  static void prepare(RunContext c, Origin origin) {
    String provider = provider(c.spec(), origin);
    c.state().pr().provider(provider);
    if (!provider.equals("github")) {
      return;
    }
    String repository = repository(c.spec(), origin);
    if (c.config().offline()) {
      throw offline(c, "GitHub's API (" + c.spec().pr().github().apiUrl() + ")");
    }
    Token token = token(c.config(), c.spec()).orElseThrow(() -> noToken(c, repository));
    c.redactor().add(token.value());
    c.out().info("pull requests on GitHub: " + repository + " (token from " + token.source() + ")");
    try {
      c.tools().pullRequests(c, "pr").check();
    } catch (java.io.IOException e) {
      throw new EtaskException(
          Code.PR_FAILED,
          "cannot check the token: " + c.redact(e.getMessage()),
          Hints.tryAgain(),
          e);
    }
  }

  static PullRequestProvider real(RunContext c, String record) {
    String provider =
        c.state().pr().provider() != null
            ? c.state().pr().provider()
            : provider(c.spec(), c.origin());
    if (!provider.equals("github")) {
      return new LocalProvider(c.ws().artifacts(), c.state().git().origin(), record);
    }
    if (c.config().offline()) {
      throw offline(c, "GitHub's API (" + c.spec().pr().github().apiUrl() + ")");
    }
    Origin origin = c.origin();
    String repository = repository(c.spec(), origin);
    Token token = token(c.config(), c.spec()).orElseThrow(() -> noToken(c, repository));
    c.redactor().add(token.value());
    return new GitHubProvider(
        new GitHubProvider.Settings(
            c.spec().pr().github().apiUrl(),
            repository,
            token.value(),
            c.spec().pr().github().reviewers()),
        c.budget()::remaining,
        w -> c.out().warn(c.redact(w)));
  }

  /** The origin with the token as its HTTPS credential, when it is on the GitHub host. */
  static Origin withToken(RunContext c, Origin origin) {
    if (!"github".equals(provider(c.spec(), origin))
        || origin.host() == null
        || !origin
            .host()
            .toLowerCase(Locale.ROOT)
            .equals(gitHost(c.spec()).toLowerCase(Locale.ROOT))) {
      return origin;
    }
    return token(c.config(), c.spec())
        .map(t -> origin.withToken(TOKEN_USER, t.value()))
        .orElse(origin);
  }

  static EtaskException offline(RunContext c, String what) {
    return new EtaskException(
        Code.OFFLINE, "Maven runs offline (-o) and this task needs " + what, Hints.offlineGitHub());
  }

  private static EtaskException noToken(RunContext c, String repository) {
    String server = c.spec().pr().github().serverId();
    return new EtaskException(
        Code.TOKEN_MISSING,
        "pull requests go to GitHub ("
            + repository
            + ") and no token was found: nothing was pushed",
        Hints.token(repository, server));
  }
}
