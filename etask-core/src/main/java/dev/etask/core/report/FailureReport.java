package dev.etask.core.report;

import dev.etask.core.state.RunState;
import java.nio.file.Path;

/** {@code FAILURE.md} (what stopped, where, what to do) and a bounded {@code trace.txt}. */
public final class FailureReport {
  public static final int MAX_TRACE_CHARS = 64 * 1024;

  private FailureReport() {}

  public static String markdown(String taskId, RunState.Fatal fatal, Path logs) {
    return "# Task failure report\n\n"
        + "| | |\n|---|---|\n"
        + "| Task | `"
        + taskId
        + "` |\n"
        + "| Phase | "
        + fatal.phase()
        + " |\n"
        + "| Failure | `"
        + fatal.code()
        + "` |\n\n"
        + "## Summary\n\n"
        + fatal.message()
        + "\n\n"
        + "## Next steps\n\n"
        + fatal.nextStep()
        + "\n\n"
        + "Logs of every phase: `"
        + logs
        + "`; the tail of the failing step is in `trace.txt` beside this file.\n";
  }

  /** The trace's last {@value #MAX_TRACE_CHARS} characters, marked when cut. */
  public static String boundedTrace(String trace) {
    return trace.length() > MAX_TRACE_CHARS
        ? "…\n" + trace.substring(trace.length() - MAX_TRACE_CHARS)
        : trace;
  }
}
