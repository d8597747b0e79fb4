package dev.etask.core.engine;

import dev.etask.core.report.FailureReport;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * Where a fatal failure is written down, before the build fails: the failure in the state, {@code
 * FAILURE.md} (what stopped, where, what to do), a bounded {@code trace.txt} with the tail of the
 * latest log, {@code status.json}, and with {@code pr.failure_pr} the draft failure PR (§15.3).
 */
final class FailureRecorder {
  private final RunContext c;

  FailureRecorder(RunContext c) {
    this.c = c;
  }

  void record(String phase, EtaskException e) {
    if (e.code() == Code.STATE_MISMATCH || e.code() == Code.TASK_LOCKED) {
      return; // the state belongs to another run or another spec: leave it alone
    }
    RunState state = c.state();
    Workspace ws = c.ws();
    state.fatal(
        new RunState.Fatal(
            e.code().name(),
            phase.toUpperCase(Locale.ROOT),
            c.redact(e.getMessage()),
            c.redact(e.nextStep())));
    state.finished(Instant.now().toString());
    StringWriter trace = new StringWriter();
    trace
        .append("etask ")
        .append(phase)
        .append(" failed: ")
        .append(e.code().name())
        .append("\n")
        .append(e.getMessage())
        .append("\n\n");
    if (e.getCause() != null) {
      e.getCause().printStackTrace(new PrintWriter(trace));
    }
    try {
      Path latest = latestLog(ws.logs());
      if (latest != null) {
        trace
            .append("\n--- ")
            .append(latest.toString())
            .append(" (last lines) ---\n")
            .append(
                PythonEnvironment.lastLines(Files.readString(latest, StandardCharsets.UTF_8), 200));
      }
      AtomicFiles.write(
          ws.failureFile(), FailureReport.markdown(c.spec().id(), state.fatal(), ws.logs()));
      AtomicFiles.write(ws.traceFile(), FailureReport.boundedTrace(c.redact(trace.toString())));
      if (c.spec().pr().failurePr()) {
        new FailurePr(c).open(e.code());
      }
      Outcome outcome = StatusFiles.outcome(c);
      StatusFiles.write(c, outcome);
      ActionsOutputs.write(c, outcome);
    } catch (IOException | RuntimeException ex) {
      c.out().warn("could not write the failure report: " + ex.getMessage());
    }
  }

  private static Path latestLog(Path logs) throws IOException {
    if (!Files.isDirectory(logs)) {
      return null;
    }
    try (var files = Files.list(logs)) {
      return files
          .max(
              (a, b) -> {
                try {
                  return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
                } catch (IOException e) {
                  return 0;
                }
              })
          .orElse(null);
    }
  }
}
