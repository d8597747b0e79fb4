package dev.etask.core.engine;

import dev.etask.core.git.DetachedCommits;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.GitTransport;
import dev.etask.core.git.Ownership;
import dev.etask.core.pr.PullRequest;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The failure PR (§15.3, §15.6): a fatal run with {@code pr.failure_pr} opens a draft PR on {@code
 * <branch>-fail} from the base with one etask commit adding {@code .etask/failures/<id>/FAILURE.md}
 * and {@code trace.txt}; a later run that publishes its PR closes it with a link and deletes the
 * {@code -fail} branch (when it holds etask's commits only).
 */
final class FailurePr {
  private final RunContext c;

  FailurePr(RunContext c) {
    this.c = c;
  }

  private String branch() {
    return c.spec().branch() + "-fail";
  }

  /** Failures after which pushing a branch or publishing cannot work, or must not happen. */
  private static final java.util.Set<Code> NO_FAILURE_PR =
      java.util.EnumSet.of(
          Code.TOKEN_MISSING,
          Code.TOKEN_REJECTED,
          Code.REPOSITORY_NOT_FOUND,
          Code.OFFLINE,
          Code.PR_FAILED,
          Code.GENERATOR_PUSHED,
          Code.SPEC_INVALID);

  void open(Code code) {
    RunState state = c.state();
    Workspace ws = c.ws();
    if (NO_FAILURE_PR.contains(code)) {
      c.out().warn("no failure PR: after " + code + " etask pushes nothing and opens nothing");
      return;
    }
    if (state.git().baseSha() == null || !Files.isDirectory(ws.repo().resolve(".git"))) {
      c.out().warn("no failure PR: the repository was never cloned");
      return;
    }
    String branch = branch();
    String title = "fail: " + c.spec().id() + " (" + state.fatal().code() + ")";
    try (GitRepo git = c.openClone()) {
      String failure = Files.readString(ws.failureFile(), StandardCharsets.UTF_8);
      Map<String, String> files = files(failure);
      GitTransport transport = c.transport(git);
      transport.fetch();
      ObjectId remote = git.remoteTracking(branch);
      ObjectId base = ObjectId.fromString(state.git().baseSha());
      if (remote != null && !onlyOurs(git, base, remote)) {
        c.out()
            .warn("no failure PR: " + branch + " on the origin holds commits etask did not make");
        return;
      }
      ObjectId made =
          DetachedCommits.onto(git, branch, base, files, title, c.spec().id(), c.ident());
      state.git().own(made.name());
      transport.push(branch, remote);
      PullRequestProvider.Published p =
          c.tools()
              .pullRequests(c, "pr-fail")
              .publish(
                  new PullRequest(
                      title,
                      failure,
                      branch,
                      state.git().base(),
                      List.of("automated", "failure"),
                      true),
                  made2 -> {
                    state.pr().failurePr(made2.url());
                    c.store().save();
                  });
      state.pr().failurePr(p.url());
      c.out()
          .warn(
              "failure PR (draft): "
                  + p.location()
                  + " ("
                  + branch
                  + " → "
                  + state.git().base()
                  + ")");
    } catch (GitException | IOException | RuntimeException e) {
      c.out().warn("could not open the failure PR: " + c.redact(String.valueOf(e.getMessage())));
    }
  }

  /** What the failure branch holds: FAILURE.md and the trace, under .etask/failures/<id>/. */
  private Map<String, String> files(String failure) throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(".etask/failures/" + c.spec().id() + "/FAILURE.md", failure);
    files.put(
        ".etask/failures/" + c.spec().id() + "/trace.txt",
        Files.readString(c.ws().traceFile(), StandardCharsets.UTF_8));
    return files;
  }

  /**
   * After a run published {@code prUrl}: the failure PR of an earlier run is closed with a link to
   * it, and its branch deleted. Nothing here fails the run: what cannot be done is a warning.
   */
  void supersede(String prUrl) {
    String branch = branch();
    try {
      Optional<String> closed =
          c.tools()
              .pullRequests(c, "pr-fail")
              .close(
                  branch,
                  "Superseded by "
                      + prUrl
                      + ": a later run of the etask task `"
                      + c.spec().id()
                      + "` succeeded. Closed by etask, which also deletes the branch `"
                      + branch
                      + "`.");
      closed.ifPresent(
          url -> {
            c.out().info("closed the failure PR " + url);
            c.state().pr().failurePr(null);
          });
    } catch (IOException | RuntimeException e) {
      c.out().warn("could not close the failure PR: " + c.redact(String.valueOf(e.getMessage())));
    }
    if (c.state().git().baseSha() == null) {
      return;
    }
    try (GitRepo git = c.openClone()) {
      GitTransport transport = c.transport(git);
      ObjectId tip = transport.remoteHead(branch);
      if (tip == null) {
        return;
      }
      transport.fetch();
      ObjectId base = git.remoteTracking(c.state().git().base());
      if (base == null || !onlyOurs(git, base, tip)) {
        c.out().warn(branch + " holds commits etask did not make: left on the origin");
        return;
      }
      transport.deleteBranch(branch, tip);
      c.out().info("deleted " + branch + " from the origin");
    } catch (GitException | RuntimeException e) {
      c.out().warn("could not delete " + branch + ": " + c.redact(String.valueOf(e.getMessage())));
    }
  }

  /**
   * True when every commit on {@code tip} that {@code base} lacks is an etask failure commit: one
   * this machine recorded, or one with the task's trailer and etask's identity that touches only
   * {@code .etask/failures/<id>/} (a failure PR made by a run on another machine, e.g. CI).
   */
  private boolean onlyOurs(GitRepo git, ObjectId base, ObjectId tip) throws GitException {
    String folder = ".etask/failures/" + c.spec().id() + "/";
    Ownership recorded = new Ownership(c.spec().id(), c.state().git().ownCommits(), c.ident());
    Ownership byIdentity = new Ownership(c.spec().id(), java.util.Set.of(), c.ident());
    for (RevCommit commit : git.commitsSince(base, tip)) {
      boolean failureCommit =
          byIdentity.isOurs(commit)
              && git.changedPaths(commit).stream().allMatch(p -> p.startsWith(folder));
      if (!recorded.isOurs(commit) && !failureCommit) {
        return false;
      }
    }
    return true;
  }
}
