package dev.etask.core.pr;

import java.io.IOException;

/** Where pull requests go: the local record, GitHub, or nowhere. */
public interface PullRequestProvider {
  /** What was published: where a person finds it, and whether it was new. */
  record Published(String url, String location, boolean created) {}

  String name();

  /** Opens the PR, or updates it when one already exists for {@code pr.head()}. */
  Published publish(PullRequest pr) throws IOException;
}
