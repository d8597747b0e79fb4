package dev.etask.core.engine;

/**
 * Where the engine reports progress; the Maven plugin adapts it to its log. The core never prints.
 */
public interface Listener {
  /** A phase starts (PREPARE, GENERATE …) with a short detail. */
  void phase(String name, String detail);

  void info(String line);

  void warn(String line);

  /**
   * Detail for who asked for it (Maven's {@code -X}): each command run with its duration and exit,
   * the rule book's inputs. Only called when {@link #debugging()}.
   */
  default void debug(String line) {}

  default boolean debugging() {
    return false;
  }

  /** With {@link #debugging()}: every command {@code runner} runs, its duration and its exit. */
  static void tellCommands(dev.etask.core.process.ProcessRunner runner, Listener out) {
    if (!out.debugging()) {
      return;
    }
    runner.onFinish(
        (command, r) ->
            out.debug(
                String.format(
                    java.util.Locale.ROOT,
                    "ran %s in %.2fs: %s",
                    String.join(" ", command.argv()),
                    r.duration().toMillis() / 1000.0,
                    r.timedOut() ? "stopped at its time limit" : "exit " + r.exitCode())));
  }

  /** {@code target} with every line redacted first. */
  static Listener redacting(Listener target, dev.etask.core.process.Redactor redactor) {
    return new Listener() {
      @Override
      public void phase(String name, String detail) {
        target.phase(name, redactor.redact(detail));
      }

      @Override
      public void info(String line) {
        target.info(redactor.redact(line));
      }

      @Override
      public void warn(String line) {
        target.warn(redactor.redact(line));
      }

      @Override
      public void debug(String line) {
        target.debug(redactor.redact(line));
      }

      @Override
      public boolean debugging() {
        return target.debugging();
      }
    };
  }

  /** A listener that drops everything (tests). */
  static Listener silent() {
    return new Listener() {
      @Override
      public void phase(String name, String detail) {}

      @Override
      public void info(String line) {}

      @Override
      public void warn(String line) {}
    };
  }
}
