package dev.etask.core.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Changes the files of one batch in the clone. Implementations: a command; later agents, LLMs,
 * built-in tools.
 */
public interface Generator {

  /**
   * One attempt at one batch. {@code feedback} is the previous attempt's failure summary, or empty.
   */
  record Request(
      String taskId,
      String objective,
      List<String> files,
      int attempt,
      String feedback,
      Path repo,
      Path promptFile,
      Path log,
      Duration timeout) {}

  /** How the attempt ended; {@code output} is the tail of what the generator printed. */
  record Outcome(boolean ok, boolean timedOut, int exitCode, String output, Duration duration) {}

  Outcome generate(Request request);
}
