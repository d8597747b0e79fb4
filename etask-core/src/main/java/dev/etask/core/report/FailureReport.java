package dev.etask.core.report;

import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** {@code FAILURE.md} (what stopped, where, what to do) and a bounded {@code trace.txt}. */
public final class FailureReport {
  public static final int MAX_TRACE_CHARS = 64 * 1024;

  private FailureReport() {}

  public static String markdown(String taskId, RunState.Fatal fatal, Path logs) {
    return "# Task failure report\n\n"
        + "| | |\n|---|---|\n"
        + "| Task | `" + taskId + "` |\n"
        + "| Phase | " + fatal.phase() + " |\n"
        + "| Failure | `" + fatal.code() + "` |\n\n"
        + "## Summary\n\n" + fatal.message() + "\n\n"
        + "## Next steps\n\n" + fatal.nextStep() + "\n\n"
        + "Logs of every phase: `" + logs + "`; the tail of the failing step is in `trace.txt` beside this file.\n";
  }

  public static void write(Path failureFile, Path traceFile, String taskId, RunState.Fatal fatal, Path logs,
      String trace) throws IOException {
    AtomicFiles.write(failureFile, markdown(taskId, fatal, logs));
    String bounded = trace.length() > MAX_TRACE_CHARS ? "…\n" + trace.substring(trace.length() - MAX_TRACE_CHARS) : trace;
    AtomicFiles.write(traceFile, bounded);
  }
}
