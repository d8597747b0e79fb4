package dev.etask.core.pr;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHLabel;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GHUser;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;

/**
 * Pull requests on GitHub (or GitHub Enterprise) through hub4j github-api. An open PR for the head
 * branch is updated (title, body, labels), never opened twice; labels are made with colours when
 * the repository lacks them; reviewers are asked on a new PR. The token is only ever sent as the
 * {@code Authorization} header; the library's {@code GET /user} is never made.
 */
public final class GitHubProvider implements PullRequestProvider {
  /** GitHub's limit on a PR body. */
  public static final int MAX_BODY = 65_536;

  /** Where and as whom: the API URL, {@code owner/name}, the token, reviewers for a new PR. */
  public record Settings(String apiUrl, String repository, String token, List<String> reviewers) {}

  private static final Map<String, String> COLOURS =
      Map.ofEntries(
          Map.entry("automated", "ededed"),
          Map.entry("failure", "b60205"),
          Map.entry("tests-failed", "d93f0b"),
          Map.entry("tests-removed", "d93f0b"),
          Map.entry("potential-bug", "d93f0b"),
          Map.entry("coverage-risk", "fbca04"),
          Map.entry("type-risk", "fbca04"),
          Map.entry("flaky", "fbca04"),
          Map.entry("weak-tests", "fbca04"),
          Map.entry("large-diff", "c5def5"),
          Map.entry("style-fix-needed", "c5def5"),
          Map.entry("partial", "bfd4f2"),
          Map.entry("aborted", "b60205"),
          Map.entry("needs-manual-review", "e99695"),
          Map.entry("human-edited", "e99695"),
          Map.entry("test-config-changed", "e99695"),
          Map.entry("binary-files", "e99695"),
          Map.entry("full-suite-failed", "d93f0b"),
          Map.entry("not-delivered", "b60205"));

  private final Settings settings;
  private final GitHubCalls calls;
  private final Consumer<String> warn;
  private final GitHubHttp connector;
  private GitHub github;
  private GHRepository repo;

  /**
   * {@code budget} is the task's time left (no retry waits past it), {@code warn} hears of retries
   * and of what could not be done (a label the token may not create).
   */
  public GitHubProvider(Settings settings, Supplier<Duration> budget, Consumer<String> warn) {
    this(settings, budget, warn, Duration.ofSeconds(2), d -> Thread.sleep(d.toMillis()));
  }

  GitHubProvider(
      Settings settings,
      Supplier<Duration> budget,
      Consumer<String> warn,
      Duration firstPause,
      GitHubCalls.Sleeper sleeper) {
    this.settings = settings;
    this.warn = warn;
    this.connector = new GitHubHttp(budget);
    this.calls =
        new GitHubCalls(
            5,
            firstPause,
            budget,
            d -> sleeper.sleep(d),
            warn,
            settings.repository(),
            connector::lastHeaders);
  }

  @Override
  public String name() {
    return "github";
  }

  private GitHub github() throws IOException {
    if (github == null) {
      String token = settings.token();
      github =
          new GitHubBuilder()
              .withEndpoint(settings.apiUrl())
              // a plain provider, not a user's: the library then never calls GET /user
              .withAuthorizationProvider(() -> "Bearer " + token)
              .withConnector(connector)
              .withRateLimitHandler(new GitHubCalls.RateLimit())
              .withAbuseLimitHandler(new GitHubCalls.SecondaryLimit())
              .build();
    }
    return github;
  }

  private GHRepository repo() {
    if (repo == null) {
      repo =
          calls.call(
              "reading " + settings.repository(),
              () -> github().getRepository(settings.repository()));
    }
    return repo;
  }

  /** {@code GET /repos/{owner}/{repo}}: the repository exists for this token, which may push. */
  @Override
  public void check() {
    GHRepository r = repo();
    // GitHub Actions' installation token gets no "permissions" in this answer (and no push flag):
    // only a token that shows its permissions and lacks push is refused here
    boolean shown = r.hasPullAccess() || r.hasPushAccess() || r.hasAdminAccess();
    if (shown && !r.hasPushAccess()) {
      throw new EtaskException(
          Code.TOKEN_REJECTED,
          "the token can read " + settings.repository() + " but may not push to it",
          Hints.tokenScopes(settings.repository()));
    }
  }

  @Override
  public Published publish(PullRequest pr, Consumer<Published> onCreated) {
    GHRepository r = repo();
    String body = fit(pr.body());
    GHPullRequest open = findOpen(r, pr.head(), pr.knownNumber()).orElse(null);
    boolean created = open == null;
    if (created) {
      open =
          calls.create(
              "opening the pull request " + pr.head() + " → " + pr.base(),
              () -> {
                try {
                  return r.createPullRequest(
                      pr.title(), pr.head(), pr.base(), body, true, pr.draft());
                } catch (HttpException e) {
                  // 422 "A pull request already exists": made by an earlier attempt or run
                  if (e.getResponseCode() == 422
                      && String.valueOf(e.getMessage()).contains("already exists")) {
                    return findOpen(r, pr.head(), 0).orElseThrow(() -> e);
                  }
                  throw e;
                }
              },
              () -> findOpen(r, pr.head(), 0));
      onCreated.accept(published(open, true));
    } else {
      GHPullRequest p = open;
      if (!pr.title().equals(p.getTitle())) {
        calls.call(
            "updating the title of #" + p.getNumber(),
            () -> {
              p.setTitle(pr.title());
              return p;
            });
      }
      if (!body.equals(p.getBody())) {
        calls.call(
            "updating the body of #" + p.getNumber(),
            () -> {
              p.setBody(body);
              return p;
            });
      }
    }
    try {
      labels(r, open, pr);
    } catch (EtaskException e) {
      // the PR is there: labels that cannot be set do not undo it
      warn.accept("could not set the labels of #" + open.getNumber() + ": " + e.getMessage());
    }
    if (created && !settings.reviewers().isEmpty()) {
      reviewers(open);
    }
    return published(open, created);
  }

  /** Review comments (on a file) and conversation comments, oldest first. */
  @Override
  public java.util.List<Comment> comments(int number) {
    GHRepository r = repo();
    return calls.call(
        "reading the comments on #" + number,
        () -> {
          GHPullRequest p = r.getPullRequest(number);
          java.util.List<Comment> out = new java.util.ArrayList<>();
          for (var c : p.listReviewComments().toList()) {
            out.add(
                new Comment(
                    "review-" + c.getId(), c.getUser().getLogin(), c.getPath(), c.getBody()));
          }
          for (var c : p.getComments()) {
            out.add(new Comment("issue-" + c.getId(), c.getUser().getLogin(), null, c.getBody()));
          }
          return out;
        });
  }

  @Override
  public State state(int number) {
    GHRepository r = repo();
    return calls.call(
        "reading #" + number,
        () -> {
          try {
            GHPullRequest p = r.getPullRequest(number);
            if (p.getState() == GHIssueState.OPEN) {
              return State.OPEN;
            }
            return p.isMerged() ? State.MERGED : State.CLOSED;
          } catch (org.kohsuke.github.GHFileNotFoundException e) {
            return State.UNKNOWN;
          }
        });
  }

  @Override
  public Optional<String> close(String head, String comment) {
    Optional<GHPullRequest> open = findOpen(repo(), head, 0);
    if (open.isEmpty()) {
      return Optional.empty();
    }
    GHPullRequest p = open.get();
    try {
      p.comment(comment); // not retried: a comment is not idempotent
    } catch (IOException e) {
      warn.accept("could not comment on #" + p.getNumber() + ": " + GitHubCalls.describe(e));
    }
    calls.call(
        "closing #" + p.getNumber(),
        () -> {
          p.close();
          return p;
        });
    return Optional.of(p.getHtmlUrl().toString());
  }

  private Optional<GHPullRequest> findOpen(GHRepository r, String head, int known) {
    if (known > 0) {
      Optional<GHPullRequest> byNumber =
          calls.call(
              "reading #" + known,
              () -> {
                try {
                  return Optional.of(r.getPullRequest(known));
                } catch (org.kohsuke.github.GHFileNotFoundException e) {
                  return Optional.<GHPullRequest>empty();
                }
              });
      if (byNumber.isPresent()
          && byNumber.get().getState() == GHIssueState.OPEN
          && head.equals(byNumber.get().getHead().getRef())) {
        return byNumber;
      }
    }
    String owner = settings.repository().substring(0, settings.repository().indexOf('/'));
    return calls.call(
        "looking for an open pull request from " + head,
        () ->
            r
                .queryPullRequests()
                .head(owner + ":" + head)
                .state(GHIssueState.OPEN)
                .list()
                .toList()
                .stream()
                .filter(p -> head.equals(p.getHead().getRef()))
                .findFirst());
  }

  private void labels(GHRepository r, GHPullRequest p, PullRequest pr) {
    Set<String> wanted = new LinkedHashSet<>(pr.labels());
    Set<String> on = p.getLabels().stream().map(GHLabel::getName).collect(Collectors.toSet());
    // etask's own labels that no longer apply go (those a person added stay)
    Set<String> ours = new LinkedHashSet<>(COLOURS.keySet());
    ours.addAll(pr.staleLabels());
    for (String stale : ours) {
      if (on.contains(stale) && !wanted.contains(stale)) {
        calls.call(
            "removing the label " + stale,
            () -> {
              try {
                return p.removeLabel(stale);
              } catch (org.kohsuke.github.GHFileNotFoundException e) {
                return List.<GHLabel>of(); // gone already
              }
            });
      }
    }

    List<String> missing = wanted.stream().filter(l -> !on.contains(l)).toList();
    if (!missing.isEmpty()) {
      Set<String> exist =
          calls
              .call("listing the labels of " + settings.repository(), () -> r.listLabels().toList())
              .stream()
              .map(GHLabel::getName)
              .collect(Collectors.toSet());
      List<String> usable = new ArrayList<>();
      for (String label : missing) {
        if (exist.contains(label) || createLabel(r, label)) {
          usable.add(label);
        }
      }
      if (!usable.isEmpty()) {
        calls.call("labelling #" + p.getNumber(), () -> p.addLabels(usable.toArray(String[]::new)));
      }
    }
  }

  /** Makes a label; a token that may not (403) only costs a warning. */
  private boolean createLabel(GHRepository r, String label) {
    try {
      calls.call(
          "creating the label " + label,
          () -> {
            try {
              return r.createLabel(label, COLOURS.getOrDefault(label, "c5def5"), "set by etask");
            } catch (HttpException e) {
              if (e.getResponseCode() == 422) {
                return null; // made meanwhile
              }
              throw e;
            }
          });
      return true;
    } catch (EtaskException e) {
      if (e.code() == Code.TOKEN_REJECTED) {
        warn.accept(
            "the label '" + label + "' does not exist and the token may not create it (403)");
        return false;
      }
      throw e;
    }
  }

  private void reviewers(GHPullRequest p) {
    try {
      List<GHUser> users = new ArrayList<>();
      for (String login : settings.reviewers()) {
        users.add(calls.call("reading the user " + login, () -> github().getUser(login)));
      }
      calls.call(
          "asking for reviews on #" + p.getNumber(),
          () -> {
            p.requestReviewers(users);
            return p;
          });
    } catch (EtaskException e) {
      warn.accept("could not ask " + settings.reviewers() + " for a review: " + e.getMessage());
    }
  }

  /** The body within GitHub's limit, with a note where it was cut. */
  static String fit(String body) {
    if (body.length() <= MAX_BODY) {
      return body;
    }
    String note =
        "\n\n…\n\n> This body was cut to GitHub's limit of "
            + MAX_BODY
            + " characters; the full text is the task's pr.md artifact.\n";
    return body.substring(0, MAX_BODY - note.length()) + note;
  }

  private static Published published(GHPullRequest p, boolean created) {
    String url = p.getHtmlUrl().toString();
    return new Published(url, url, p.getNumber(), created);
  }
}
