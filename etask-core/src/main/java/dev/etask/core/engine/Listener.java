package dev.etask.core.engine;

/**
 * Where the engine reports progress; the Maven plugin adapts it to its log. The core never prints.
 */
public interface Listener {
  /** A phase starts (PREPARE, GENERATE …) with a short detail. */
  void phase(String name, String detail);

  void info(String line);

  void warn(String line);

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
