package dev.etask.core.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A child process to run: arguments, folder, environment, time limit, the log its output goes to,
 * optionally a file that receives the whole output on its own, and how it is held when it runs
 * untrusted code ({@link Confinement}; null for etask's own children). {@code environment} is the
 * complete environment of the child (see {@link Environments}).
 */
public record Command(
    List<String> argv,
    Path directory,
    Map<String, String> environment,
    Duration timeout,
    Path log,
    Path capture,
    Confinement confinement) {

  public Command {
    argv = List.copyOf(argv);
    environment = Map.copyOf(new LinkedHashMap<>(environment));
  }

  public Command(
      List<String> argv,
      Path directory,
      Map<String, String> environment,
      Duration timeout,
      Path log,
      Path capture) {
    this(argv, directory, environment, timeout, log, capture, null);
  }

  public Command(
      List<String> argv,
      Path directory,
      Map<String, String> environment,
      Duration timeout,
      Path log) {
    this(argv, directory, environment, timeout, log, null);
  }

  /**
   * The same command, with its whole output also written (fresh) to {@code file}, for tools that
   * report on stdout.
   */
  public Command capturingTo(Path file) {
    return new Command(argv, directory, environment, timeout, log, file, confinement);
  }

  /** The same command, held by {@code how} (untrusted code: the generator, the gates). */
  public Command confined(Confinement how) {
    return new Command(argv, directory, environment, timeout, log, capture, how);
  }

  public static Command of(
      Path directory, Map<String, String> environment, Duration timeout, Path log, String... argv) {
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
