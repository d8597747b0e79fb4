package dev.etask.core.rules;

/**
 * What happens to a batch. Ordered from mildest to most severe: the most severe triggered rule
 * wins.
 */
public enum Verdict {
  /** Committed, no risk. */
  ACCEPT,
  /** Committed with risk labels. */
  KEEP,
  /** Left out of the branch (lint): not committed. */
  SKIP,
  /** Left out of the branch: the change is reverted. */
  ROLLBACK,
  /** The task stops. */
  ABORT;

  public boolean commits() {
    return this == ACCEPT || this == KEEP;
  }
}
