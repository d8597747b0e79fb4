package dev.etask.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * {@code status.json}, the contract of a task's outcome (docs/ARCHITECTURE.md §7): the seed's §8
 * fields plus the exit code, risk, labels, tool versions, timings and every batch. Its JSON Schema
 * ships in the plugin jar as {@code META-INF/etask/status.schema.json}; {@code schema_version}
 * changes when a field changes meaning or goes away.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder(alphabetic = false)
public record StatusDocument(
    int schemaVersion,
    String id,
    String branch,
    String base,
    String baseSha,
    String repository,
    String objective,
    long commits,
    Integer testsPassed,
    Integer testsFailed,
    Integer testsErrors,
    Integer testsSkipped,
    Double coverageBefore,
    Double coverageAfter,
    Double coverageDelta,
    Integer lintErrors,
    Integer typeErrors,
    List<String> riskLabels,
    List<String> labels,
    String riskLevel,
    boolean partial,
    double partialRatio,
    int exitCode,
    String summary,
    String prUrl,
    @JsonInclude(JsonInclude.Include.NON_NULL) String failurePrUrl,
    String startedAt,
    String finishedAt,
    Map<String, String> toolVersions,
    @JsonInclude(JsonInclude.Include.NON_NULL) Gates gates,
    String sandbox,
    boolean gatesNetwork,
    List<String> survivors,
    Map<String, Long> phasesMs,
    Map<String, Long> phasesOwnMs,
    long startupMs,
    List<String> conflicts,
    String aborted,
    String limitHit,
    @JsonInclude(JsonInclude.Include.NON_NULL) Failure failure,
    @JsonInclude(JsonInclude.Include.NON_NULL) SemanticReview semanticReview,
    List<Batch> batches,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Part> parts) {

  /**
   * pr.max_lines: one of the pull requests the accepted batches were split into: its number (from
   * 1), branch, batches (from 1), diff lines, the commit pushed and its PR.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Part(
      int index, String branch, List<Integer> batches, int diffLines, String sha, String prUrl) {}

  /** pr.semantic_review: the model, its risk and reasons, or the error that kept it from them. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record SemanticReview(String model, String risk, List<String> reasons, String error) {}

  /**
   * How the gates ran: the test runner and its arguments, pytest's configuration file, the lint
   * rules.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Gates(
      String testRunner,
      List<String> testArgs,
      String pytestConfig,
      List<String> lintSelect,
      List<String> typeTargets) {}

  /** Why the task stopped: the code, the phase, one paragraph, and what to do next. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Failure(String code, String phase, String message, String nextStep) {}

  /** One batch: its files, how far it got, the decision and why, what was measured. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Batch(
      int index,
      List<String> files,
      String stage,
      int attempts,
      String decision,
      String reason,
      List<String> labels,
      Map<String, Double> metrics,
      List<String> changedFiles,
      List<String> newFindings,
      Boolean firstTryPass,
      String commit,
      long durationMs,
      String validation,
      String revertedBy,
      List<String> conflicts,
      String rebasedOnto,
      @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage,
      @JsonInclude(JsonInclude.Include.NON_NULL) Upgrade upgrade) {}

  /** The dependency a batch upgrades (batch_mode: per_dependency): its pin from and to. */
  public record Upgrade(String name, String from, String to) {}

  /** What a model reported for a batch (generator.llm): tokens, and the cost when it says. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Usage(long promptTokens, long completionTokens, Double cost) {}
}
