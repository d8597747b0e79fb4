package dev.etask.core.state;

import java.util.List;
import java.util.Map;

/**
 * A task's result as aggregated: exit code (0 ok, 1 fatal, 2 partial or risky), risk level, labels
 * (the spec's plus every risk label), totals before and after (metric name → value).
 */
public record Outcome(
    int exitCode,
    boolean partial,
    double partialRatio,
    String riskLevel,
    List<String> labels,
    List<String> riskLabels,
    long commits,
    Map<String, Double> totals,
    String summary) {

  public Outcome {
    labels = List.copyOf(labels);
    riskLabels = List.copyOf(riskLabels);
    totals = Map.copyOf(totals);
  }
}
