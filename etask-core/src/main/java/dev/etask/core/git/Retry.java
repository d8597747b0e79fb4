package dev.etask.core.git;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How network errors are retried: up to {@code attempts} calls with exponential backoff and jitter,
 * while {@code budget} says there is time left; each retry is reported to {@code warn}.
 */
public record Retry(int attempts, Supplier<Duration> budget, Consumer<String> warn) {
  /** No retry at all. */
  public static final Retry NONE = new Retry(1, () -> Duration.ofDays(1), w -> {});

  /** A git operation that talks to the origin. */
  public interface Call<T> {
    T call() throws GitException;
  }

  public <T> T call(String what, Call<T> call) throws GitException {
    long delayMs = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (GitException e) {
        long jitter = ThreadLocalRandom.current().nextLong(delayMs / 2 + 1);
        boolean timeLeft = budget.get().toMillis() > delayMs + jitter;
        if (!e.network() || attempt >= attempts || !timeLeft) {
          throw e;
        }
        warn.accept(
            what
                + " failed ("
                + e.getMessage()
                + "); network error, retry "
                + attempt
                + " of "
                + (attempts - 1)
                + " in "
                + (delayMs + jitter)
                + " ms");
        try {
          Thread.sleep(delayMs + jitter);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        delayMs = Math.min(delayMs * 2, 30_000);
      }
    }
  }
}
