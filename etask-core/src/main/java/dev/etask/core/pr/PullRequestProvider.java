package dev.etask.core.pr;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;

/** Where pull requests go: the local record, GitHub, or nowhere. */
public interface PullRequestProvider {
  /**
   * What was published: the URL a person opens, where etask keeps its record of it (the URL again
   * for a hosted PR), its number, and whether it was new.
   */
  record Published(String url, String location, int number, boolean created) {}

  String name();

  /** What became of a pull request. */
  enum State {
    OPEN,
    CLOSED,
    MERGED,
    UNKNOWN
  }

  /**
   * A reviewer's comment on the PR: a stable {@code id}, who wrote it, the file it is on (null for
   * a comment on the whole PR) and what it says.
   */
  record Comment(String id, String author, String path, String body) {}

  /**
   * The comments on the PR numbered {@code number}, oldest first (none when it cannot have any).
   */
  default java.util.List<Comment> comments(int number) throws IOException {
    return java.util.List.of();
  }

  /** The state of the PR numbered {@code number}; UNKNOWN when the provider cannot tell. */
  default State state(int number) throws IOException {
    return State.UNKNOWN;
  }

  /**
   * Checks, before anything is pushed, that pull requests can be published (a token that may push
   * to the repository); throws with what to fix.
   */
  default void check() throws IOException {}

  /**
   * Opens the PR, or updates it when one is already open for {@code pr.head()} (the one numbered
   * {@code pr.knownNumber()} first). {@code created} hears of a new PR as soon as it exists, before
   * labels and reviewers, so a run that stops then never opens a second one.
   */
  Published publish(PullRequest pr, Consumer<Published> created) throws IOException;

  /**
   * Closes the open PR whose head is {@code head} with {@code comment}; returns its URL, or empty
   * when no such PR is open.
   */
  Optional<String> close(String head, String comment) throws IOException;
}
