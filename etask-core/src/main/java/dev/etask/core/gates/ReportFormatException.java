package dev.etask.core.gates;

/** A tool's report could not be read: the message says which file and what was wrong. */
public final class ReportFormatException extends Exception {
  public ReportFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  public ReportFormatException(String message) {
    super(message);
  }
}
