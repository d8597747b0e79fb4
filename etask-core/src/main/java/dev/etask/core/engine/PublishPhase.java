package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.pr.PullRequest;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.report.PrBody;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.lib.Constants;

/**
 * PR: pushes what an interrupted run left unpushed (or what is gone from the origin), then opens
 * the pull request or updates it. A dry run writes the body it would publish and stops there.
 */
final class PublishPhase implements Phase {
  @Override
  public String name() {
    return "pr";
  }

  @Override
  public void execute(RunContext c) {
    publish(c, false);
  }

  @Override
  public void simulate(RunContext c) {
    publish(c, true);
  }

  private void publish(RunContext c, boolean simulate) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    if (c.interrupted()) {
      c.out().info("interrupted: the pull request is refreshed by the next run");
      return;
    }
    if (spec.pr().provider() == TaskSpec.Provider.NONE) {
      c.out().info("pr.provider is none: no pull request");
      return;
    }
    if (state.pr().number() > 0 && !simulate && finished(c)) {
      return;
    }
    if (!simulate) {
      pushWhatIsLeft(c, false); // a dry run said what it would push when it delivered
    }
    if (state.git().lastPushedSha() == null && state.git().halted() == null && !simulate) {
      c.out()
          .info(
              "no pull request: "
                  + (Outcomes.nothingToChange(spec, state)
                      ? "the generator found nothing to change"
                      : state.committedCount() == 0
                          ? "no batch was accepted, so " + spec.branch() + " was not pushed"
                          : spec.branch() + " was not pushed (see above)"));
      return;
    }
    Outcome o = StatusFiles.outcome(c);
    if (Split.publish(c, o, simulate)) {
      return; // the accepted batches went out as parts (pr.max_lines)
    }
    o = StatusFiles.outcome(c); // with large-diff when they could not be split
    String body = StatusFiles.prBody(c, o);
    if (simulate) {
      preview(c, o);
      return;
    }
    PullRequestProvider p = c.tools().pullRequests(c, "pr");
    PullRequestProvider.Published published = open(c, p, o, body);
    state.pr().published(published.url(), published.number(), o.labels());
    c.out()
        .phase(
            "PR",
            (published.created() ? "opened" : "updated")
                + " ("
                + p.name()
                + "): "
                + spec.branch()
                + " → "
                + state.git().base()
                + " on "
                + state.git().origin());
    c.out().info("PR: " + published.location());
    c.out().info("PR body: " + c.ws().prBodyFile());
    new FailurePr(c).supersede(published.url());
  }

  /** A dry run's pull request: its title, labels and body, and the combined patch beside them. */
  private static void preview(RunContext c, Outcome o) {
    c.out().info("dry run: the pull request would be titled: " + c.redact(PrBody.title(c.spec())));
    c.out().info("dry run: with the labels " + String.join(", ", o.labels()));
    c.out().info("dry run: its body: " + c.ws().prBodyFile());
    if (c.state().committedCount() == 0) {
      return;
    }
    Path patch = c.ws().artifacts().resolve("etask.patch");
    try (GitRepo git = c.openClone()) {
      String text =
          dev.etask.core.git.Patches.between(
              git.repository(),
              org.eclipse.jgit.lib.ObjectId.fromString(c.state().git().baseSha()),
              git.head());
      AtomicFiles.write(patch, c.redact(text));
      c.out().info("dry run: the combined patch of the accepted batches: " + patch);
    } catch (GitException | IOException e) {
      c.out().warn("dry run: cannot write " + patch + ": " + e.getMessage());
    }
  }

  /**
   * Pushes the commits an interrupted run left unpushed, or all of etask's again when the branch is
   * gone from the origin.
   */
  private static void pushWhatIsLeft(RunContext c, boolean simulate) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    if (state.committedCount() > 0) {
      try (GitRepo git = c.openClone()) {
        boolean gone =
            state.git().lastPushedSha() != null
                && !state.git().originTips().isEmpty()
                && !state.git().originTips().containsKey(Constants.R_HEADS + spec.branch());
        if (!git.head().name().equals(state.git().lastPushedSha()) || gone) {
          c.out()
              .info(
                  gone
                      ? spec.branch() + " is no longer on the origin: pushing etask's commits again"
                      : "pushing commits an interrupted run left unpushed");
          new Pusher(c).push(git, simulate);
        }
      } catch (GitException e) {
        throw c.gitFailure(Code.PUSH_FAILED, e, Hints.reachable(spec.branch()));
      }
    }
  }

  /** Opens or updates the pull request, its number kept as soon as it exists. */
  private static PullRequestProvider.Published open(
      RunContext c, PullRequestProvider p, Outcome o, String body) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    try {
      return p.publish(
          new PullRequest(
              c.redact(PrBody.title(spec)),
              body,
              spec.branch(),
              state.git().base(),
              o.labels(),
              spec.pr().github().draft(),
              state.pr().labels(),
              state.pr().number()),
          made -> {
            // the PR exists: a run that stops now must find it, not open another
            state.pr().opened(made.url(), made.number());
            c.store().save();
          });
    } catch (IOException e) {
      throw new EtaskException(
          Code.PR_FAILED,
          "cannot record the pull request: " + c.redact(String.valueOf(e.getMessage())),
          Hints.artifactsDir(),
          e);
    }
  }

  /**
   * True when the task's PR was merged or closed since: a reviewer's decision etask respects. It
   * neither pushes again (a squash merge deletes the branch; its commits would come back) nor opens
   * another PR.
   */
  private static boolean finished(RunContext c) {
    PullRequestProvider.State s;
    try {
      s = c.tools().pullRequests(c, "pr").state(c.state().pr().number());
    } catch (IOException e) {
      return false; // cannot tell: publish as usual, which updates an open PR only
    }
    if (s != PullRequestProvider.State.MERGED && s != PullRequestProvider.State.CLOSED) {
      return false;
    }
    c.out()
        .warn(
            "the pull request "
                + c.state().pr().url()
                + " was "
                + (s == PullRequestProvider.State.MERGED ? "merged" : "closed")
                + ": etask neither pushes "
                + c.spec().branch()
                + " again nor opens another PR. To start the task over, run "
                + c.hints().command("clean"));
    return true;
  }
}
