package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;

/**
 * DELIVER, at the end of {@code etask:run}: what is committed and not yet pushed (batches validated
 * incrementally) is checked with the whole suite on the tip and pushed, before the outcome is
 * aggregated. In the lifecycle, the pr goal does the same.
 */
final class DeliverPhase implements Phase {
  @Override
  public String name() {
    return "deliver";
  }

  @Override
  public void execute(RunContext c) {
    deliver(c, false);
  }

  @Override
  public void simulate(RunContext c) {
    deliver(c, true);
  }

  private static void deliver(RunContext c, boolean simulate) {
    if (c.interrupted() || c.state().git().halted() != null || c.state().committedCount() == 0) {
      return;
    }
    try (GitRepo git = c.openClone()) {
      if (git.head().name().equals(c.state().git().lastPushedSha())) {
        return;
      }
      c.out()
          .phase(
              "DELIVER",
              "the commits not pushed yet, checked with the whole suite on the tip and pushed");
      if (c.interrupted()) {
        return;
      }
      new Pusher(c).push(git, simulate);
    } catch (GitException e) {
      throw c.gitFailure(Code.PUSH_FAILED, e, Hints.reachable(c.spec().branch()));
    }
  }
}
