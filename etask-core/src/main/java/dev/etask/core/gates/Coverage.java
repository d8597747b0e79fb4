package dev.etask.core.gates;

import java.util.List;
import java.util.Map;

/**
 * Line coverage of the measured sources: the total percentage and, per file, executed and missing
 * lines.
 */
public record Coverage(double percent, Map<String, FileCoverage> files) {
  public Coverage {
    files = Map.copyOf(files);
  }

  public record FileCoverage(List<Integer> executed, List<Integer> missing) {
    public FileCoverage {
      executed = List.copyOf(executed);
      missing = List.copyOf(missing);
    }
  }
}
