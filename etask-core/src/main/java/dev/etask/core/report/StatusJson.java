package dev.etask.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code status.json}: the seed's §8 fields and everything a dashboard or a person needs.
 */
public final class StatusJson {
  public static final int SCHEMA_VERSION = 1;

  private StatusJson() {}

  public static StatusDocument model(TaskSpec spec, RunState state, Outcome outcome) {
    Map<String, Double> t = outcome.totals();
    return new StatusDocument(
        SCHEMA_VERSION,
        spec.id(),
        spec.branch(),
        state.git().base(),
        state.git().baseSha(),
        state.git().origin(),
        spec.objective(),
        outcome.commits(),
        integer(t.get("tests_passed")),
        integer(t.get("tests_failed")),
        integer(t.get("tests_errors")),
        integer(t.get("tests_skipped")),
        t.get("coverage_before"),
        t.get("coverage_after"),
        t.get("coverage_delta"),
        integer(t.get("lint_errors")),
        integer(t.get("type_errors")),
        outcome.riskLabels(),
        outcome.labels(),
        outcome.riskLevel(),
        outcome.partial(),
        outcome.partialRatio(),
        outcome.exitCode(),
        outcome.summary(),
        state.pr().url(),
        state.pr().failureUrl(),
        state.startedAt(),
        state.finishedAt(),
        state.env().toolVersions(),
        gates(state),
        state.env().sandbox(),
        spec.qualityGates().network(),
        state.survivors(),
        state.phaseMillis(),
        state.phaseOwnMillis(),
        state.startupMillis(),
        state.git().conflicts(),
        state.aborted(),
        state.limitHit(),
        failure(state),
        state.review() == null
            ? null
            : new StatusDocument.SemanticReview(
                state.review().model(),
                state.review().risk(),
                state.review().reasons(),
                state.review().error()),
        state.batches().stream().map(StatusJson::batch).toList(),
        state.pr().parts().stream()
            .map(
                p ->
                    new StatusDocument.Part(
                        p.index(), p.branch(), p.batches(), p.diffLines(), p.sha(), p.url()))
            .toList());
  }

  private static StatusDocument.Gates gates(RunState state) {
    return state.env().gates() == null
        ? null
        : new StatusDocument.Gates(
            state.env().gates().runner().display(),
            state.env().gates().runnerArgs(),
            state.env().gates().pytestConfig(),
            state.env().gates().lintSelect(),
            state.env().gates().typeTargets());
  }

  private static StatusDocument.Failure failure(RunState state) {
    return state.fatal() == null
        ? null
        : new StatusDocument.Failure(
            state.fatal().code(),
            state.fatal().phase(),
            state.fatal().message(),
            state.fatal().nextStep());
  }

  private static StatusDocument.Batch batch(BatchState b) {
    return new StatusDocument.Batch(
        b.index(),
        b.files(),
        b.stage().name().toLowerCase(Locale.ROOT),
        b.attempts(),
        b.verdict() == null ? null : b.verdict().name().toLowerCase(Locale.ROOT),
        b.reason(),
        b.labels(),
        b.metrics(),
        b.changedFiles(),
        b.newFindings(),
        b.firstTryPass(),
        b.commit(),
        b.durationMs(),
        b.validation(),
        b.revertedBy(),
        b.conflicts(),
        b.rebasedOnto(),
        b.usage() == null
            ? null
            : new StatusDocument.Usage(
                b.usage().promptTokens(), b.usage().completionTokens(), b.usage().cost()),
        b.upgrade() == null
            ? null
            : new StatusDocument.Upgrade(b.upgrade().name(), b.upgrade().from(), b.upgrade().to()));
  }

  /**
   * The fields every {@code status.json} of this schema version has (the ones not marked optional
   * in {@link StatusDocument}), as they are named in the file.
   */
  public static List<String> requiredFields() {
    var snake = new PropertyNamingStrategies.SnakeCaseStrategy();
    return Arrays.stream(StatusDocument.class.getRecordComponents())
        .filter(c -> !optional(c.getName()))
        .map(c -> snake.translate(c.getName()))
        .toList();
  }

  private static boolean optional(String component) {
    try {
      // the annotation lands on the record's field (JsonInclude does not target components)
      return StatusDocument.class
          .getDeclaredField(component)
          .isAnnotationPresent(JsonInclude.class);
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Integer integer(Double v) {
    return v == null ? null : v.intValue();
  }
}
