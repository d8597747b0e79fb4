package dev.etask.core.engine;

import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code pr.address_reviews}: a run of a task whose PR is open reads the reviewers' comments, and
 * those it has not planned a batch for yet become the objective of one new batch (on the files they
 * are on, when the task may change them; else on the task's files). The PR body answers each
 * comment with the commit that addressed it, or why none did.
 */
final class ReviewComments {
  private ReviewComments() {}

  static void plan(RunContext c) {
    RunState state = c.state();
    if (!c.spec().pr().addressReviews() || state.pr().number() <= 0 || !state.analyzed()) {
      return;
    }
    List<PullRequestProvider.Comment> fresh = new ArrayList<>();
    try {
      PullRequestProvider provider = c.tools().pullRequests(c, "pr");
      PullRequestProvider.State pr = provider.state(state.pr().number());
      if (pr == PullRequestProvider.State.MERGED || pr == PullRequestProvider.State.CLOSED) {
        return; // nothing to address on a PR that is done
      }
      Set<String> known = new LinkedHashSet<>();
      state.reviewComments().forEach(x -> known.add(x.id()));
      for (PullRequestProvider.Comment x : provider.comments(state.pr().number())) {
        if (!known.contains(x.id()) && !x.body().isBlank()) {
          fresh.add(x);
        }
      }
    } catch (IOException | RuntimeException e) {
      c.out().warn("cannot read the pull request's review comments: " + c.redact(e.getMessage()));
      return;
    }
    if (fresh.isEmpty()) {
      return;
    }
    BatchState batch = new BatchState(state.batches().size(), files(state, fresh));
    batch.objective(objective(c, fresh));
    List<RunState.ReviewComment> comments = new ArrayList<>();
    for (PullRequestProvider.Comment x : fresh) {
      comments.add(
          new RunState.ReviewComment(x.id(), x.author(), x.path(), x.body(), batch.index()));
    }
    state.addressing(batch, comments);
    c.out()
        .phase(
            "REVIEW",
            fresh.size()
                + " new review comment(s) → batch "
                + (batch.index() + 1)
                + ": "
                + String.join(", ", batch.files()));
  }

  /** The commented files the task works on; all its files when no comment names one of them. */
  private static List<String> files(RunState state, List<PullRequestProvider.Comment> fresh) {
    Set<String> targets = new LinkedHashSet<>();
    state.batches().stream()
        .filter(b -> b.objective() == null)
        .forEach(b -> targets.addAll(b.files()));
    Set<String> named = new LinkedHashSet<>();
    for (PullRequestProvider.Comment x : fresh) {
      if (x.path() != null && targets.contains(x.path())) {
        named.add(x.path());
      }
    }
    return List.copyOf(named.isEmpty() ? targets : named);
  }

  private static String objective(RunContext c, List<PullRequestProvider.Comment> fresh) {
    StringBuilder b =
        new StringBuilder(c.spec().objective())
            .append(
                "\n\nA reviewer asked for changes on the pull request; address these comments:");
    for (PullRequestProvider.Comment x : fresh) {
      b.append("\n\n- ")
          .append(x.author())
          .append(x.path() == null ? "" : " on " + x.path())
          .append(": ")
          .append(x.body().strip().replace("\n", "\n  "));
    }
    return b.toString();
  }
}
