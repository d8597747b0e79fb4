package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import java.time.Instant;

/**
 * AGGREGATE: the task's outcome (see {@link Outcomes}) written as status.json and pr.md. A task
 * that delivers nothing (no batch accepted or kept, whether the batches were rejected, aborted or
 * never run within the limits) is a fatal failure and is reported like one (docs/ARCHITECTURE.md
 * §7).
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
    if (state.fatal() == null
        && state.git().halted() == null
        && !c.interrupted()
        && !c.config().dryRun()
        && state.analyzed()
        && !state.batches().isEmpty()
        && state.committedCount() + state.git().adoptedCommits() == 0
        && !Outcomes.nothingToChange(c.spec(), state)
        && ((state.nextPending() == null && state.inFlight() == null)
            || state.limitHit() != null
            || state.aborted() != null)) {
      // the run is over (every batch done, a limit hit, or aborted): in the lifecycle, an
      // aggregate between batches is progress, not a verdict
      // and it delivered nothing: a fatal failure, reported like one (FAILURE.md, failure PR)
      // where it went wrong: the generator that kept failing, a rule that aborts, or the end
      failures.record(
          state.aborted() == null
              ? "aggregate"
              : state.aborted().startsWith("the generator failed") ? "generate" : "validate",
          nothingAccepted(c, state));
    }
    SemanticReview.run(c);
    outcome = StatusFiles.outcome(c);
    state.finished(Instant.now().toString());
    StatusFiles.write(c, outcome);
    c.out().phase("AGGREGATE", "exit " + outcome.exitCode() + " · " + outcome.summary());
  }

  private static EtaskException nothingAccepted(RunContext c, RunState state) {
    if (state.aborted() != null) {
      boolean hidden =
          state.batches().stream()
              .anyMatch(b -> b.reason() != null && b.reason().contains("the sandbox shows"));
      return new EtaskException(
          Code.GENERATOR_FAILED,
          "the task aborted before any batch was accepted: " + state.aborted(),
          Hints.generatorFailed(hidden, c.ws().logs()));
    }
    StringBuilder why = new StringBuilder();
    int shown = 0;
    for (BatchState b : state.batches()) {
      if (b.done() && shown < 5) {
        why.append("\n- batch ")
            .append(c.label(b))
            .append(" (")
            .append(String.join(", ", b.files()))
            .append("): ")
            .append(
                b.verdict() == null
                    ? "not done"
                    : b.verdict().name().toLowerCase(java.util.Locale.ROOT))
            .append(b.reason() == null ? "" : " — " + b.reason());
        shown++;
      }
    }
    long open = state.batches().stream().filter(b -> !b.done()).count();
    return new EtaskException(
        Code.NOTHING_ACCEPTED,
        "no batch was accepted or kept, so there is nothing to deliver"
            + (open > 0
                ? " ("
                    + open
                    + " batch(es) not run: "
                    + (state.limitHit() == null ? "stopped early" : state.limitHit())
                    + ")"
                : "")
            + ":"
            + why,
        Hints.nothingAccepted(c.ws().logs()));
  }
}
