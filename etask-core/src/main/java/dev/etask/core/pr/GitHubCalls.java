package dev.etask.core.pr;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GitHubAbuseLimitHandler;
import org.kohsuke.github.GitHubRateLimitHandler;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * Calls to the GitHub API with bounded retries: 429, 5xx and the primary and secondary rate limits
 * are retried after what GitHub asks ({@code Retry-After}, {@code x-ratelimit-reset}) or a growing
 * pause, while the task's time budget allows; a create is retried only after looking the object up,
 * so nothing is made twice. What fails for good is said in terms of what to fix.
 */
final class GitHubCalls {
  /** One call to the API. */
  interface Call<T> {
    T call() throws IOException;
  }

  /** How long to pause: a test passes one that does not sleep. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final int attempts;
  private final Duration firstPause;
  private final Supplier<Duration> budget;
  private final Sleeper sleeper;
  private final Consumer<String> warn;
  private final String repository;
  private final Supplier<Map<String, List<String>>> lastHeaders;

  /** {@code lastHeaders} are the headers of the last answer (for Retry-After and friends). */
  GitHubCalls(
      int attempts,
      Duration firstPause,
      Supplier<Duration> budget,
      Sleeper sleeper,
      Consumer<String> warn,
      String repository,
      Supplier<Map<String, List<String>>> lastHeaders) {
    this.lastHeaders = lastHeaders;
    this.attempts = attempts;
    this.firstPause = firstPause;
    this.budget = budget;
    this.sleeper = sleeper;
    this.warn = warn;
    this.repository = repository;
  }

  /** An idempotent call (a read, an edit, a label set): retried as it is. */
  <T> T call(String what, Call<T> call) {
    return create(what, call, Optional::empty);
  }

  /**
   * A call that makes something: after a failure that may have made it anyway (a 502 with the PR
   * created), {@code lookup} runs first and its answer wins.
   */
  <T> T create(String what, Call<T> call, Call<Optional<T>> lookup) {
    Duration pause = firstPause;
    for (int attempt = 1; ; attempt++) {
      IOException failure;
      try {
        if (attempt > 1) {
          Optional<T> found = lookup.call();
          if (found.isPresent()) {
            return found.get();
          }
        }
        return call.call();
      } catch (IOException e) {
        failure = e;
      }
      Duration wait = retryAfter(failure, pause, lastHeaders.get());
      if (wait == null || attempt >= attempts) {
        throw failed(what, failure, attempt);
      }
      Duration left = budget.get();
      if (wait.compareTo(left) >= 0) {
        throw new EtaskException(
            Code.PR_FAILED,
            what
                + ": GitHub asks to wait "
                + wait.toSeconds()
                + "s ("
                + describe(failure)
                + ") and the task has "
                + left.toSeconds()
                + "s left",
            Hints.prLater());
      }
      warn.accept(
          what
              + " failed ("
              + describe(failure)
              + "); retry "
              + attempt
              + "/"
              + (attempts - 1)
              + " in "
              + Math.max(1, wait.toSeconds())
              + "s");
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw failed(what, failure, attempt);
      }
      pause = pause.multipliedBy(2);
    }
  }

  /**
   * How long to wait before trying again, or null when trying again cannot help: a rate limit (403
   * or 429 with {@code Retry-After}, {@code x-ratelimit-remaining: 0} or GitHub's message) waits
   * what GitHub asks; 429 and 5xx wait what {@code Retry-After} says, else a growing pause; a
   * dropped or refused connection waits the pause; any other answer is final.
   */
  static Duration retryAfter(IOException e, Duration pause, Map<String, List<String>> headers) {
    if (e instanceof GHFileNotFoundException) {
      return null;
    }
    if (!(e instanceof HttpException h) || h.getResponseCode() <= 0) {
      return pause; // the connection dropped, timed out, or was refused
    }
    int code = h.getResponseCode();
    String retryAfter = header(headers, "Retry-After");
    String reset = header(headers, "x-ratelimit-reset");
    boolean rateLimited =
        (code == 403 || code == 429)
            && (retryAfter != null
                || "0".equals(header(headers, "x-ratelimit-remaining"))
                || String.valueOf(h.getMessage()).toLowerCase(Locale.ROOT).contains("rate limit"));
    if (rateLimited) {
      return waitFor(retryAfter, reset);
    }
    if (code == 429 || code >= 500) {
      if (retryAfter != null) {
        return waitFor(retryAfter, null);
      }
      long jitter = ThreadLocalRandom.current().nextLong(pause.toMillis() / 4 + 1);
      return pause.plusMillis(jitter);
    }
    return null;
  }

  /** {@code Retry-After} seconds, else until {@code x-ratelimit-reset}, else a minute. */
  static Duration waitFor(String retryAfter, String reset) {
    Duration wait = Duration.ofSeconds(60);
    try {
      if (retryAfter != null) {
        wait = Duration.ofSeconds(Long.parseLong(retryAfter.trim()));
      } else if (reset != null) {
        wait =
            Duration.between(Instant.now(), Instant.ofEpochSecond(Long.parseLong(reset.trim())))
                .plusSeconds(1);
      }
    } catch (NumberFormatException e) {
      // keep the default
    }
    return wait.isNegative() ? Duration.ofSeconds(1) : wait;
  }

  private static String header(Map<String, List<String>> headers, String name) {
    if (headers == null) {
      return null;
    }
    for (var e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  private EtaskException failed(String what, IOException e, int attempts) {
    int code = e instanceof HttpException h ? h.getResponseCode() : -1;
    String after = attempts > 1 ? " (after " + attempts + " attempts)" : "";
    if (code == 401) {
      return new EtaskException(
          Code.TOKEN_REJECTED,
          what + ": GitHub refused the token (401 " + message(e) + ")",
          Hints.tokenWrong(),
          e);
    }
    if (code == 403) {
      return new EtaskException(
          Code.TOKEN_REJECTED,
          what + ": the token may not do this (403 " + message(e) + ")",
          Hints.tokenScopes(repository),
          e);
    }
    if (code == 404 || e instanceof GHFileNotFoundException) {
      return new EtaskException(
          Code.REPOSITORY_NOT_FOUND,
          what + ": GitHub does not show " + repository + " to this token (404)",
          Hints.repositoryAccess(),
          e);
    }
    return new EtaskException(
        Code.PR_FAILED, what + ": " + describe(e) + after, Hints.prLater(), e);
  }

  static String describe(IOException e) {
    if (e instanceof HttpException h && h.getResponseCode() > 0) {
      return "HTTP " + h.getResponseCode() + " " + message(e);
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** GitHub's own message from the JSON answer, or the exception's. */
  private static String message(IOException e) {
    String m = String.valueOf(e.getMessage());
    java.util.regex.Matcher j =
        java.util.regex.Pattern.compile("\"message\"\\s*:\\s*\"([^\"]*)\"").matcher(m);
    return j.find() ? j.group(1) : m.length() > 200 ? m.substring(0, 200) + "…" : m;
  }

  /** The primary rate limit: fail with the answer's code, never sleep inside the library. */
  static final class RateLimit extends GitHubRateLimitHandler {
    @Override
    public void onError(GitHubConnectorResponse r) throws IOException {
      throw new HttpException(r.statusCode(), "API rate limit reached", r.request().url(), null);
    }
  }

  /** The secondary rate limit, the same way. */
  static final class SecondaryLimit extends GitHubAbuseLimitHandler {
    @Override
    public void onError(GitHubConnectorResponse r) throws IOException {
      throw new HttpException(r.statusCode(), "secondary rate limit", r.request().url(), null);
    }
  }
}
