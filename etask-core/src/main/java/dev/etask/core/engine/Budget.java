package dev.etask.core.engine;

import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.RunState;
import java.time.Duration;
import java.time.Instant;

/** The limits of one run: the time budget (from the run's start) and the number of commits. */
final class Budget {
  private final TaskSpec.Limits limits;
  private final Instant start;

  Budget(TaskSpec.Limits limits, Instant start) {
    this.limits = limits;
    this.start = start;
  }

  Duration remaining() {
    Duration left = limits.maxRuntime().minus(Duration.between(start, Instant.now()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** {@code max} or what is left of the budget (plus {@code grace}), whichever is shorter. */
  Duration atMost(Duration max, Duration grace) {
    Duration left = remaining().plus(grace);
    return max.compareTo(left) <= 0 ? max : left;
  }

  String runtimeReached() {
    return "max_runtime_minutes (" + limits.maxRuntime().toSeconds() + "s) reached";
  }

  String commitsReached() {
    return "max_commits (" + limits.maxCommits() + ") reached";
  }

  boolean commitsExhausted(RunState state) {
    return state.committedCount() >= limits.maxCommits();
  }

  /** Why the loop over batches stops now, or null while there is budget for the next batch. */
  String limitReached(RunState state) {
    if (commitsExhausted(state) && state.nextPending() != null) {
      return commitsReached();
    }
    if (remaining().isZero()) {
      return runtimeReached();
    }
    return null;
  }
}
