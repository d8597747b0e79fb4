package dev.etask.core.engine;

import dev.etask.core.git.DetachedCommits;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.GitTransport;
import dev.etask.core.git.Ownership;
import dev.etask.core.pr.PullRequest;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.report.FailureReport;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

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
    state.fatal =
        new RunState.Fatal(
            e.code().name(),
            phase.toUpperCase(Locale.ROOT),
            c.redact(e.getMessage()),
            c.redact(e.nextStep()));
    state.finishedAt = Instant.now().toString();
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
          ws.failureFile(), FailureReport.markdown(c.spec().id(), state.fatal, ws.logs()));
      AtomicFiles.write(ws.traceFile(), FailureReport.boundedTrace(c.redact(trace.toString())));
      if (c.spec().pr().failurePr()) {
        openFailurePr();
      }
      Outputs.write(c, Outputs.outcome(c));
    } catch (IOException | RuntimeException ex) {
      c.out().warn("could not write the failure report: " + ex.getMessage());
    }
  }

  /**
   * §15.3: a draft PR on {@code <branch>-fail} from the base with one etask commit adding {@code
   * .etask/failures/<id>/FAILURE.md} and {@code trace.txt}.
   */
  private void openFailurePr() {
    RunState state = c.state();
    Workspace ws = c.ws();
    if (state.baseSha == null || !Files.isDirectory(ws.repo().resolve(".git"))) {
      c.out().warn("no failure PR: the repository was never cloned");
      return;
    }
    String branch = c.spec().branch() + "-fail";
    String title = "fail: " + c.spec().id() + " (" + state.fatal.code() + ")";
    try (GitRepo git = c.openClone()) {
      String failure = Files.readString(ws.failureFile(), StandardCharsets.UTF_8);
      Map<String, String> files = new LinkedHashMap<>();
      files.put(".etask/failures/" + c.spec().id() + "/FAILURE.md", failure);
      files.put(
          ".etask/failures/" + c.spec().id() + "/trace.txt",
          Files.readString(ws.traceFile(), StandardCharsets.UTF_8));
      GitTransport transport = c.transport(git);
      transport.fetch();
      ObjectId remote = git.remoteTracking(branch);
      ObjectId base = ObjectId.fromString(state.baseSha);
      Ownership ownership = new Ownership(c.spec().id(), state.ownCommits, c.ident());
      if (remote != null
          && git.commitsSince(base, remote).stream().anyMatch(x -> !ownership.isOurs(x))) {
        c.out()
            .warn("no failure PR: " + branch + " on the origin holds commits etask did not make");
        return;
      }
      ObjectId made =
          DetachedCommits.onto(git, branch, base, files, title, c.spec().id(), c.ident());
      state.ownCommits.add(made.name());
      transport.push(branch, remote);
      PullRequestProvider.Published p =
          c.tools()
              .pullRequests(c, "pr-fail")
              .publish(
                  new PullRequest(
                      title, failure, branch, state.base, List.of("automated", "failure"), true));
      state.failurePrUrl = p.url();
      c.out()
          .warn(
              "failure PR (draft) recorded: "
                  + p.location()
                  + " ("
                  + branch
                  + " → "
                  + state.base
                  + ")");
    } catch (GitException | IOException | RuntimeException e) {
      c.out().warn("could not open the failure PR: " + c.redact(String.valueOf(e.getMessage())));
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
