package dev.etask.core.gates;

import java.util.List;
import java.util.Map;

/**
 * One measurement of a working tree: tests, coverage, lint and type findings. {@code coverage} or
 * {@code types} are null when that tool could not run; {@code problems} says why.
 */
public record GateReport(
    TestResults tests,
    Coverage coverage,
    List<Finding> lint,
    List<Finding> types,
    List<String> problems,
    Map<String, Long> durationsMs) {

  public GateReport {
    lint = lint == null ? null : List.copyOf(lint);
    types = types == null ? null : List.copyOf(types);
    problems = List.copyOf(problems);
    durationsMs = Map.copyOf(durationsMs);
  }

  public Double coveragePercent() {
    return coverage == null ? null : coverage.percent();
  }
}
