package dev.etask.core.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One batch's progress and outcome, as stored in state.json and reported in status.json. */
public final class BatchState {
  /** Where a batch is: waiting, generated (changes staged), validated (decision taken), done. */
  public enum Stage { PENDING, GENERATED, VALIDATED, DONE }

  public int index;
  public List<String> files = new ArrayList<>();
  public Stage stage = Stage.PENDING;
  public int attempts;
  /** ACCEPT, KEEP, SKIP, ROLLBACK or ABORT once decided. */
  public String verdict;
  public String reason;
  public List<String> rules = new ArrayList<>();
  public List<String> labels = new ArrayList<>();
  public Map<String, Double> metrics = new LinkedHashMap<>();
  public List<String> changedFiles = new ArrayList<>();
  public List<String> newFindings = new ArrayList<>();
  public String failureExcerpt;
  public String feedback = "";
  public Boolean firstTryPass;
  public String commit;
  public long durationMs;

  public BatchState() {}

  public BatchState(int index, List<String> files) {
    this.index = index;
    this.files = new ArrayList<>(files);
  }

  /** Committed by this workspace (batches adopted from the origin's branch have no commit of ours). */
  public boolean committed() {
    return stage == Stage.DONE && commit != null && ("ACCEPT".equals(verdict) || "KEEP".equals(verdict));
  }
}
