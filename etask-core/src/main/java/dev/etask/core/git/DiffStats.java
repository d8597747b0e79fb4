package dev.etask.core.git;

import java.util.List;
import java.util.Map;

/**
 * Size of a staged change, and the line numbers each file gained (for diff coverage); {@code
 * binary} files have no lines and are counted apart.
 */
public record DiffStats(
    int files, int added, int removed, Map<String, List<Integer>> addedLines, int binary) {
  public DiffStats {
    addedLines = Map.copyOf(addedLines);
  }

  public DiffStats(int files, int added, int removed, Map<String, List<Integer>> addedLines) {
    this(files, added, removed, addedLines, 0);
  }

  public int lines() {
    return added + removed;
  }
}
