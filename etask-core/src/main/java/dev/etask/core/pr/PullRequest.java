package dev.etask.core.pr;

import java.util.List;

/**
 * A pull request to open or update: the task branch into the base, with a title, body and labels;
 * {@code staleLabels} are labels etask set on an earlier publish that no longer apply (removed on
 * update; labels people added stay), {@code knownNumber} the PR's number from an earlier run, or 0.
 */
public record PullRequest(
    String title,
    String body,
    String head,
    String base,
    List<String> labels,
    boolean draft,
    List<String> staleLabels,
    int knownNumber) {
  public PullRequest {
    labels = List.copyOf(labels);
    staleLabels = staleLabels == null ? List.of() : List.copyOf(staleLabels);
  }

  public PullRequest(
      String title, String body, String head, String base, List<String> labels, boolean draft) {
    this(title, body, head, base, labels, draft, List.of(), 0);
  }
}
