package dev.etask.core.git;

/** One path that differs from HEAD in the working tree. */
public record Change(String path, Kind kind) {
  public enum Kind {
    ADDED,
    MODIFIED,
    DELETED
  }
}
