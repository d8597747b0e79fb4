package dev.etask.core.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A child process to run: arguments, folder, environment, time limit, and the log its output goes to.
 * {@code environment} is the complete environment of the child (see {@link Environments}).
 */
public record Command(List<String> argv, Path directory, Map<String, String> environment, Duration timeout, Path log) {

  public Command {
    argv = List.copyOf(argv);
    environment = Map.copyOf(new LinkedHashMap<>(environment));
  }

  public static Command of(Path directory, Map<String, String> environment, Duration timeout, Path log,
      String... argv) {
    return new Command(List.of(argv), directory, environment, timeout, log);
  }

  /** The command line as a person would type it, for logs and messages. */
  public String display() {
    StringBuilder b = new StringBuilder();
    for (String a : argv) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(a.matches("[A-Za-z0-9_./=:,+@%-]+") ? a : ShellQuote.quote(a));
    }
    return b.toString();
  }
}
