package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.report.PrBody;
import dev.etask.core.state.Outcome;

/** The outcome as it stands, and the files that show it: status.json and the PR body. */
final class StatusFiles {
  private StatusFiles() {}

  static Outcome outcome(RunContext c) {
    boolean measured = c.state().prepared() && c.store().hasReport("baseline");
    GateReport baseline = measured ? c.store().readReport("baseline") : null;
    GateReport current = measured ? c.store().readReport("current") : null;
    return Outcomes.of(c.spec(), c.state(), baseline, current);
  }

  static String prBody(RunContext c, Outcome o) {
    return c.redact(PrBody.render(c.spec(), c.state(), o, c.hints().command("run")));
  }

  /** Writes status.json and, once there is something to review, pr.md. */
  static void write(RunContext c, Outcome o) {
    boolean body = c.state().prepared() || c.state().git().halted() != null;
    c.store().writeOutputs(c.spec(), o, body ? prBody(c, o) : null);
  }
}
