package dev.etask.core.engine;

/** Where the engine reports progress; the Maven plugin adapts it to its log. The core never prints. */
public interface Listener {
  /** A phase starts (PREPARE, GENERATE …) with a short detail. */
  void phase(String name, String detail);

  void info(String line);

  void warn(String line);

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
