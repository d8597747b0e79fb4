package dev.etask.core.rules;

import java.util.List;

/** The verdict on one batch, why, which rules fired and the labels they add to the PR. */
public record Decision(Verdict verdict, String reason, List<String> rules, List<String> labels) {
  public Decision {
    rules = List.copyOf(rules);
    labels = List.copyOf(labels);
  }

  public static Decision accept() {
    return new Decision(Verdict.ACCEPT, "all gates passed", List.of(), List.of());
  }

  public static Decision of(Verdict verdict, String reason) {
    return new Decision(verdict, reason, List.of(), List.of());
  }
}
