package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's progress on disk ({@code state.json}), maven-release style: what is done, what is in
 * flight, what was pushed. Written atomically after every step so a killed run resumes.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RunState {
  public static final int SCHEMA_VERSION = 1;

  /** Why a task stopped for good. */
  public record Fatal(String code, String phase, String message, String nextStep) {}

  private int schemaVersion = SCHEMA_VERSION;
  private String taskId;
  private String specHash;
  private String branch;
  private boolean prepared;
  private boolean analyzed;
  private String startedAt;
  private String finishedAt;
  private int runs;
  private List<BatchState> batches = new ArrayList<>();
  private int generatorFailuresInARow;
  private Map<String, Long> phaseMillis = new LinkedHashMap<>();

  /** Per phase, the time outside child processes: what etask itself spent. */
  private Map<String, Long> phaseOwnMillis = new LinkedHashMap<>();

  /** From the JVM's start to the engine's: Maven and the JVM starting, in the latest run. */
  private long startupMillis;

  private Set<String> taskLabels = new LinkedHashSet<>();
  private String aborted;
  private String limitHit;
  private Fatal fatal;

  /** Processes a generator or a gate process left running, stopped: {@code pid (command)}. */
  private List<String> survivors = new ArrayList<>();

  /** Reviewers' comments on the PR that a batch was planned for (pr.address_reviews). */
  private List<ReviewComment> reviewComments = new ArrayList<>();

  /** A reviewer's comment and the batch that addresses it. */
  public record ReviewComment(String id, String author, String path, String body, int batch) {}

  /** The semantic review of the accepted diff (pr.semantic_review), or null. */
  private Review review;

  /**
   * What a model said of the accepted diff at {@code sha}: its risk (low, medium, high) and why, or
   * the {@code error} that kept it from saying (then risk is null).
   */
  public record Review(String sha, String model, String risk, List<String> reasons, String error) {}

  @JsonUnwrapped private final BranchRecord git = new BranchRecord();
  @JsonUnwrapped private final EnvironmentRecord env = new EnvironmentRecord();
  @JsonUnwrapped private final PullRequestRecord pr = new PullRequestRecord();
  @JsonUnwrapped private final ReportSums sums = new ReportSums();

  /** The task's branch, its base and its origin: what was pushed, who else pushed. */
  public BranchRecord git() {
    return git;
  }

  /** What PREPARE found out about the repository and the machine. */
  public EnvironmentRecord env() {
    return env;
  }

  public PullRequestRecord pr() {
    return pr;
  }

  public ReportSums sums() {
    return sums;
  }

  public int schemaVersion() {
    return schemaVersion;
  }

  public String taskId() {
    return taskId;
  }

  public String specHash() {
    return specHash;
  }

  public String branch() {
    return branch;
  }

  public boolean prepared() {
    return prepared;
  }

  public boolean analyzed() {
    return analyzed;
  }

  public String startedAt() {
    return startedAt;
  }

  public String finishedAt() {
    return finishedAt;
  }

  public int runs() {
    return runs;
  }

  public List<BatchState> batches() {
    return java.util.Collections.unmodifiableList(batches);
  }

  public int generatorFailuresInARow() {
    return generatorFailuresInARow;
  }

  public Map<String, Long> phaseMillis() {
    return java.util.Collections.unmodifiableMap(phaseMillis);
  }

  public Map<String, Long> phaseOwnMillis() {
    return java.util.Collections.unmodifiableMap(phaseOwnMillis);
  }

  public long startupMillis() {
    return startupMillis;
  }

  public Set<String> taskLabels() {
    return java.util.Collections.unmodifiableSet(taskLabels);
  }

  public String aborted() {
    return aborted;
  }

  public String limitHit() {
    return limitHit;
  }

  public Fatal fatal() {
    return fatal;
  }

  public Review review() {
    return review;
  }

  public void reviewed(Review review) {
    this.review = review;
  }

  public List<String> survivors() {
    return List.copyOf(survivors);
  }

  /** A run of task {@code id} starts: its spec's hash and branch recorded the first time. */
  public void started(String id, String hash, String taskBranch, String now) {
    if (taskId == null) {
      taskId = id;
      specHash = hash;
      branch = taskBranch;
      startedAt = now;
    }
    runs++;
    finishedAt = null;
  }

  public void finished(String now) {
    finishedAt = now;
  }

  /** The run was interrupted (SIGTERM, Ctrl-C) at {@code now}. */
  public void interrupted(String now) {
    limitHit = "interrupted (SIGTERM or Ctrl-C)";
    finishedAt = now;
  }

  public void prepared(boolean done) {
    prepared = done;
  }

  /** ANALYZE planned the task's batches. */
  public List<ReviewComment> reviewComments() {
    return List.copyOf(reviewComments);
  }

  /** A batch added after the plan for {@code comments}: it is the next pending one. */
  public void addressing(BatchState batch, List<ReviewComment> comments) {
    batches.add(batch);
    reviewComments.addAll(comments);
  }

  public void planned(List<BatchState> planned) {
    batches = new ArrayList<>(planned);
    analyzed = true;
  }

  /** A limit of this run was hit ({@code why}), or null: budgets are per run. */
  public void limit(String why) {
    limitHit = why;
  }

  /** The task gave up ({@code why}): the batch or the generator that made it. */
  public void abort(String why) {
    aborted = why;
  }

  /** A new attempt after an abort: the generator's failures counted afresh. */
  public void retryAfterAbort() {
    aborted = null;
    generatorFailuresInARow = 0;
  }

  public void generatorSucceeded() {
    generatorFailuresInARow = 0;
  }

  /** The generator failed once more; returns how many times in a row. */
  public int generatorFailed() {
    return ++generatorFailuresInARow;
  }

  public void label(String label) {
    taskLabels.add(label);
  }

  public void unlabel(String label) {
    taskLabels.remove(label);
  }

  public void fatal(Fatal why) {
    fatal = why;
  }

  public void startup(long millis) {
    startupMillis = millis;
  }

  public void survived(java.util.Collection<String> processes) {
    survivors.addAll(processes);
  }

  public static RunState read(Path file) throws IOException {
    return Json.MAPPER.readValue(file.toFile(), RunState.class);
  }

  public static RunState readOrNull(Path file) throws IOException {
    return Files.exists(file) ? read(file) : null;
  }

  public BatchState inFlight() {
    for (BatchState b : batches) {
      if (b.stage() == BatchState.Stage.GENERATED || b.stage() == BatchState.Stage.VALIDATED) {
        return b;
      }
    }
    return null;
  }

  public BatchState nextPending() {
    for (BatchState b : batches) {
      if (b.stage() == BatchState.Stage.PENDING) {
        return b;
      }
    }
    return null;
  }

  public long committedCount() {
    return batches.stream().filter(BatchState::committed).count();
  }

  public long doneCount() {
    return batches.stream().filter(BatchState::done).count();
  }

  /** Adds a phase's wall time and the part of it outside child processes (etask's own). */
  public void addPhaseTime(String phase, long millis, long ownMillis) {
    phaseMillis.merge(phase, millis, Long::sum);
    phaseOwnMillis.merge(phase, ownMillis, Long::sum);
  }

  /**
   * Where the run's time went, phase by phase (the phases' own time, the generator's and the gates'
   * included), and the total.
   */
  public String timeSummary() {
    long total = phaseMillis.values().stream().mapToLong(Long::longValue).sum();
    return String.join(
            " · ",
            phaseMillis.entrySet().stream()
                .filter(e -> e.getValue() >= 50)
                .map(e -> e.getKey() + " " + seconds(e.getValue()))
                .toList())
        + (phaseMillis.isEmpty() ? "" : " · ")
        + "total "
        + seconds(total);
  }

  private static String seconds(long millis) {
    return millis >= 60_000
        ? (millis / 60_000) + " m " + (millis % 60_000) / 1000 + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
