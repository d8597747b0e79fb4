package dev.etask.core.state;

import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One batch's progress and outcome, as stored in state.json and reported in status.json. It changes
 * only through its methods, one per step of its life: {@link #startAttempt}, {@link #generated},
 * {@link #decide} (the gates' verdict), {@link #retry}, {@link #close} (done without a commit),
 * {@link #committed}.
 */
public final class BatchState {
  /** Where a batch is: waiting, generated (changes staged), validated (decision taken), done. */
  public enum Stage {
    PENDING,
    GENERATED,
    VALIDATED,
    DONE
  }

  private int index;
  private List<String> files = new ArrayList<>();
  private Stage stage = Stage.PENDING;
  private int attempts;
  private Verdict verdict;
  private String reason;
  private List<String> rules = new ArrayList<>();
  private List<String> labels = new ArrayList<>();
  private Map<String, Double> metrics = new LinkedHashMap<>();
  private List<String> changedFiles = new ArrayList<>();
  private List<String> newFindings = new ArrayList<>();
  private String failureExcerpt;
  private String feedback = "";

  /** What this batch is asked to do instead of the task's objective (a review comment), or null. */
  private String objective;

  private Boolean firstTryPass;
  private String commit;
  private long durationMs;

  /** How the gates measured it: {@code full} (the whole suite) or {@code incremental}. */
  private String validation;

  /** The commit that reverted this batch's commit on the origin's branch, or null. */
  private String revertedBy;

  /** The moved base the batch's commit was last made again on (null: never rebased). */
  private String rebasedOnto;

  /** The dependency this batch upgrades ({@code per_dependency} batches), or null. */
  private Upgrade upgrade;

  /** A pin moved from {@code from} to {@code to}, in the files of the batch that declare it. */
  public record Upgrade(String name, String from, String to) {}

  /** What a model reported its attempts at this batch used, summed; null for other generators. */
  private Usage usage;

  /** Tokens of the prompts and replies, and the cost when the endpoint reported one. */
  public record Usage(long promptTokens, long completionTokens, Double cost) {}

  /**
   * The batch's files that the moved base changed too, and how each came out: "PATH: merged
   * structurally" or "PATH: dropped (why; the base's commit SHA)".
   */
  private List<String> conflicts = new ArrayList<>();

  /**
   * The tree the generator made, as etask built it from the working tree's files (never from git's
   * index): what the gates measure and what is committed.
   */
  private String tree;

  BatchState() {}

  public BatchState(int index, List<String> files) {
    this.index = index;
    this.files = new ArrayList<>(files);
  }

  /** The name of the batch's measurement, report and logs: {@code batch-<n>}, counted from 1. */
  public String name() {
    return "batch-" + (index + 1);
  }

  public int index() {
    return index;
  }

  public List<String> files() {
    return List.copyOf(files);
  }

  public Stage stage() {
    return stage;
  }

  public int attempts() {
    return attempts;
  }

  /** The verdict once decided, else null. */
  public Verdict verdict() {
    return verdict;
  }

  public String reason() {
    return reason;
  }

  public List<String> rules() {
    return List.copyOf(rules);
  }

  public List<String> labels() {
    return List.copyOf(labels);
  }

  public Map<String, Double> metrics() {
    return java.util.Collections.unmodifiableMap(metrics);
  }

  public List<String> changedFiles() {
    return List.copyOf(changedFiles);
  }

  public List<String> newFindings() {
    return List.copyOf(newFindings);
  }

  public String failureExcerpt() {
    return failureExcerpt;
  }

  /** What went wrong in the last attempt, for the generator's next one; empty on the first. */
  public String objective() {
    return objective;
  }

  public Upgrade upgrade() {
    return upgrade;
  }

  /** This batch upgrades {@code u}: its objective says so. */
  public BatchState upgrading(Upgrade u) {
    this.upgrade = u;
    this.objective = "Upgrade " + u.name() + " from " + u.from() + " to " + u.to();
    return this;
  }

  public BatchState objective(String objective) {
    this.objective = objective;
    return this;
  }

  public String feedback() {
    return feedback;
  }

  public Boolean firstTryPass() {
    return firstTryPass;
  }

  public String commit() {
    return commit;
  }

  public long durationMs() {
    return durationMs;
  }

  public String validation() {
    return validation;
  }

  public String rebasedOnto() {
    return rebasedOnto;
  }

  public Usage usage() {
    return usage;
  }

  /** Adds one attempt's usage. */
  public void used(long promptTokens, long completionTokens, Double cost) {
    Usage u = usage == null ? new Usage(0, 0, null) : usage;
    Double total = u.cost();
    if (cost != null) {
      total = total == null ? cost : Double.valueOf(total + cost);
    }
    usage =
        new Usage(u.promptTokens() + promptTokens, u.completionTokens() + completionTokens, total);
  }

  public List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  /**
   * The batch's commit made again on the moved base {@code base} ({@code commitSha}; null when
   * every change of it was dropped: the batch is then rolled back, saying why), with how its files
   * that the base changed too came out.
   */
  public void rebased(String base, String commitSha, List<String> fileConflicts) {
    rebasedOnto = base;
    conflicts.addAll(fileConflicts);
    if (commitSha != null) {
      commit = commitSha;
      return;
    }
    commit = null;
    verdict = Verdict.ROLLBACK;
    reason =
        "dropped in the rebase onto "
            + base.substring(0, Math.min(12, base.length()))
            + ": "
            + String.join("; ", fileConflicts);
    if (!labels.contains("needs-manual-review")) {
      labels.add("needs-manual-review");
    }
    firstTryPass = false;
  }

  /** The batch's files the moved base changed too that were merged structurally, in order. */
  public List<String> mergedFiles() {
    List<String> out = new ArrayList<>();
    for (String x : conflicts) {
      int at = x.indexOf(MERGED);
      if (at > 0) {
        out.add(x.substring(0, at));
      }
    }
    return out;
  }

  private static final String MERGED = ": merged structurally";

  /**
   * The batch's changes to {@code paths}, merged structurally with the moved base's, taken off
   * because the whole suite failed with them ({@code why}); the rest of the batch stays as commit
   * {@code commitSha}.
   */
  public void mergeDropped(List<String> paths, String why, String commitSha) {
    for (int i = 0; i < conflicts.size(); i++) {
      String x = conflicts.get(i);
      int at = x.indexOf(MERGED);
      if (at > 0 && paths.contains(x.substring(0, at))) {
        conflicts.set(i, x.substring(0, at) + ": dropped (merged structurally, but " + why + ")");
      }
    }
    commit = commitSha;
    if (!labels.contains("needs-manual-review")) {
      labels.add("needs-manual-review");
    }
  }

  public String revertedBy() {
    return revertedBy;
  }

  /** See {@link #generated}; null before. */
  public String tree() {
    return tree;
  }

  /** The gates measured this attempt in full or incrementally. */
  public void validatedBy(String how) {
    validation = how;
  }

  /**
   * Committed by this workspace (batches adopted from the origin's branch have no commit of ours).
   */
  public boolean committed() {
    return stage == Stage.DONE && commit != null && verdict != null && verdict.commits();
  }

  public boolean done() {
    return stage == Stage.DONE;
  }

  // -------------------------------------------------------------------------------- transitions

  /** A new attempt of the generator starts. */
  public void startAttempt() {
    attempts++;
  }

  /** An attempt that was cut short (interrupt, budget) does not count. */
  public void uncountAttempt() {
    attempts = Math.max(0, attempts - 1);
  }

  public void addDuration(long millis) {
    durationMs += millis;
  }

  /** The generator's changes, recorded as the git tree {@code tree}. */
  public void generated(List<String> changes, String tree) {
    changedFiles = new ArrayList<>(changes);
    this.tree = tree;
    stage = Stage.GENERATED;
  }

  /**
   * The gates' decision on the generated batch, with what was measured, the new findings and, when
   * tests failed or a gate could not run, an excerpt of the failure.
   */
  public void decide(
      Decision d, Map<String, Double> measured, List<String> findings, String excerpt) {
    record(d);
    metrics = new LinkedHashMap<>(measured);
    newFindings = new ArrayList<>(findings);
    failureExcerpt = excerpt;
    stage = Stage.VALIDATED;
  }

  /**
   * The batch is done without reaching the branch, or without reaching the gates (generator failed,
   * guard).
   */
  public void close(Decision d) {
    record(d);
    firstTryPass = d.verdict().commits() && attempts == 1;
    stage = Stage.DONE;
  }

  /** A rejected batch is left out for good (no attempts left). */
  public void leaveOut() {
    firstTryPass = false;
    stage = Stage.DONE;
  }

  /** A rejected attempt goes back to the generator with {@code why} as feedback. */
  public void retry(String why) {
    feedback = why;
    stage = Stage.PENDING;
  }

  /** The generator failed this attempt; the next one gets {@code why}. */
  public void failedAttempt(String why) {
    feedback = why;
  }

  /** The batch is on the task branch as {@code sha}. */
  public void committed(String sha) {
    commit = sha;
    firstTryPass = attempts == 1;
    stage = Stage.DONE;
  }

  /**
   * The whole suite fails with this committed batch on the branch: it is taken off again, dropped
   * from a branch never pushed ({@code revertCommit} null) or reverted by {@code revertCommit}.
   */
  public void rejectedByFullSuite(Decision d, String revertCommit) {
    record(d);
    if (revertCommit == null) {
      commit = null;
    } else {
      revertedBy = revertCommit;
    }
    firstTryPass = false;
    stage = Stage.DONE;
  }

  /** A batch the generator gave up on is tried again from scratch (a new run after an abort). */
  public void reopen() {
    stage = Stage.PENDING;
    verdict = null;
    reason = null;
    labels = new ArrayList<>();
    rules = new ArrayList<>();
    attempts = 0;
  }

  private void record(Decision d) {
    verdict = d.verdict();
    reason = d.reason();
    rules = new ArrayList<>(d.rules());
    labels = new ArrayList<>(d.labels());
  }
}
