package dev.etask.core.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Changes the files of one batch in the clone: a command (a script, an agent's CLI, a built-in
 * tool) or a model behind an OpenAI-compatible endpoint.
 */
public interface Generator {

  /**
   * One attempt at one batch. {@code feedback} is the previous attempt's failure summary, or empty;
   * {@code writable} what the batch may change beside its files ({@code target.writable}, as the
   * spec says it; empty for nothing).
   */
  record Request(
      String taskId,
      String objective,
      List<String> files,
      String writable,
      int attempt,
      String feedback,
      Path repo,
      Path promptFile,
      Path log,
      Duration timeout) {}

  /**
   * How the attempt ended; {@code output} is the tail of what the generator printed; {@code usage}
   * what a model reported it used, or null.
   */
  record Outcome(
      boolean ok, boolean timedOut, int exitCode, String output, Duration duration, Usage usage) {
    public Outcome(boolean ok, boolean timedOut, int exitCode, String output, Duration duration) {
      this(ok, timedOut, exitCode, output, duration, null);
    }
  }

  /** Tokens a model reported for one attempt, and its cost when the endpoint reports one. */
  record Usage(long promptTokens, long completionTokens, Double cost) {}

  Outcome generate(Request request);
}
