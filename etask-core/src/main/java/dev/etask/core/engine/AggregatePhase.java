package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import java.time.Instant;

/**
 * AGGREGATE: the task's outcome (see {@link Outcomes}) written as status.json and pr.md. A task
 * that aborted before any batch was accepted is a fatal failure and is reported like one.
 */
final class AggregatePhase implements Phase {
  private final FailureRecorder failures;
  private Outcome outcome;

  AggregatePhase(FailureRecorder failures) {
    this.failures = failures;
  }

  @Override
  public String name() {
    return "aggregate";
  }

  Outcome outcome() {
    return outcome;
  }

  @Override
  public void execute(RunContext c) {
    RunState state = c.state();
    if (state.fatal == null && state.aborted != null && state.committedCount() == 0) {
      // aborted with nothing delivered: a fatal failure, reported like one (FAILURE.md, failure PR)
      failures.record(
          "generate",
          new EtaskException(
              Code.GENERATOR_FAILED,
              "the task aborted before any batch was" + " accepted: " + state.aborted,
              "run the generator by hand on one file (see the batch logs in "
                  + c.ws().logs()
                  + ") and fix it, then run the task again"));
    }
    outcome = Outputs.outcome(c);
    state.finishedAt = Instant.now().toString();
    Outputs.write(c, outcome);
    c.out().phase("AGGREGATE", "exit " + outcome.exitCode() + " · " + outcome.summary());
  }
}
