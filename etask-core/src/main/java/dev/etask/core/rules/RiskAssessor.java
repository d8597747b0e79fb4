package dev.etask.core.rules;

import dev.etask.core.spec.Expression;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.TaskSpec;
import java.util.List;
import java.util.Map;

/**
 * Risk level of a whole task: the spec's {@code high_if} / {@code medium_if} over the task's
 * metrics.
 */
public final class RiskAssessor {
  private RiskAssessor() {}

  public static String level(TaskSpec spec, Map<Metric, Double> metrics, List<String> riskLabels) {
    for (Expression e : spec.pr().highIf()) {
      if (e.test(metrics)) {
        return "high";
      }
    }
    for (Expression e : spec.pr().mediumIf()) {
      if (e.test(metrics)) {
        return "medium";
      }
    }
    return riskLabels.isEmpty() ? "low" : "medium";
  }
}
