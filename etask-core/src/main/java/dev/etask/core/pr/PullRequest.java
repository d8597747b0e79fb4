package dev.etask.core.pr;

import java.util.List;

/**
 * A pull request to open or update: the task branch into the base, with a title, body and labels.
 */
public record PullRequest(
    String title, String body, String head, String base, List<String> labels, boolean draft) {
  public PullRequest {
    labels = List.copyOf(labels);
  }
}
