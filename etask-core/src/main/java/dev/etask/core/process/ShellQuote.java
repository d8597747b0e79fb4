package dev.etask.core.process;

/** POSIX shell quoting. */
public final class ShellQuote {
  private ShellQuote() {}

  public static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
