package dev.etask.core.git;

import java.util.List;
import java.util.Map;

/** Size of a staged change, and the line numbers each file gained (for diff coverage). */
public record DiffStats(int files, int added, int removed, Map<String, List<Integer>> addedLines) {
  public DiffStats {
    addedLines = Map.copyOf(addedLines);
  }

  public int lines() {
    return added + removed;
  }
}
