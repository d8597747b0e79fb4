package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.time.Duration;

/**
 * Runs one phase: clears a failure the phase recorded before (it runs again), times it, routes a
 * failure to the {@link FailureRecorder} (state, status.json, FAILURE.md and trace before anything
 * is rethrown, with secrets redacted), and saves the state after it, whatever happened.
 */
final class PhaseRunner {
  private final RunContext c;
  private final FailureRecorder failures;

  PhaseRunner(RunContext c, FailureRecorder failures) {
    this.c = c;
    this.failures = failures;
  }

  void run(Phase phase, boolean dryRun) {
    String name = phase.name();
    if (c.state().fatal() != null
        && (name.equals("prepare") || c.state().fatal().phase().equalsIgnoreCase(name))) {
      c.state().fatal(null); // the phase that failed (or the whole task) runs again: history
    }
    long t0 = System.nanoTime();
    long busy0 = c.runner().busyNanos();
    boolean timed = false;
    try {
      c.sandboxing().require(); // sandbox: required stops every goal before it does anything
      if (dryRun) {
        phase.simulate(c);
      } else {
        phase.execute(c);
      }
    } catch (EtaskException e) {
      EtaskException safe =
          new EtaskException(
              e.code(),
              c.redact(e.getMessage()),
              c.redact(e.nextStep()),
              c.redactor().scrub(e.getCause()));
      timed = time(name, t0, busy0); // status.json shows the failed phase's time too
      failures.record(name, safe);
      throw safe;
    } catch (RuntimeException e) {
      Throwable safe = c.redactor().scrub(e);
      timed = time(name, t0, busy0);
      failures.record(
          name,
          new EtaskException(
              Code.IO_FAILED, "unexpected error: " + safe, Hints.bug(c.ws().traceFile()), safe));
      throw (RuntimeException) safe;
    } finally {
      if (!timed) {
        time(name, t0, busy0);
      }
      c.store().save();
    }
  }

  private boolean time(String phase, long t0, long busy0) {
    long wall = System.nanoTime() - t0;
    long children = c.runner().busyNanos() - busy0;
    c.state()
        .addPhaseTime(
            phase,
            Duration.ofNanos(wall).toMillis(),
            Duration.ofNanos(Math.max(0, wall - children)).toMillis());
    return true;
  }
}
