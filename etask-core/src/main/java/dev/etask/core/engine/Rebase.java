package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Replay;
import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Scenario C (docs/ARCHITECTURE.md §6): the base moved under the task, so its commits are made
 * again on the new base one by one ({@link Replay}). A test file both changed is merged
 * structurally — the base's file plus the task's new definitions and the imports they need, parsed
 * with the venv's Python ({@code structural_merge.py}, which runs nothing of the files); another
 * file both changed keeps the base's version and the task's change to it is dropped, labelled
 * {@code needs-manual-review}. Each batch records the base it was rebased onto and its conflicts; a
 * batch whose every change was dropped is rolled back.
 */
final class Rebase {
  private static final Duration MERGE_TIMEOUT = Duration.ofMinutes(1);

  private Rebase() {}

  /** Makes the task's commits again on {@code base}; true when the branch moved. */
  static boolean onto(RunContext c, GitRepo git, ObjectId base) throws GitException {
    RunState state = c.state();
    ObjectId oldBase = ObjectId.fromString(state.git().baseSha());
    ObjectId head = git.head();
    List<RevCommit> commits = git.commitsSince(oldBase, head);
    Replay.Result r =
        Replay.onto(
            git,
            oldBase,
            base,
            commits,
            p -> c.spec().git().testFiles().stream().anyMatch(g -> g.matches(p)),
            merger(c),
            c.ident());
    git.resetTo(r.head());
    state.git().rebased(base.name());
    record(c, base, commits, r);
    c.out()
        .info(
            state.git().base()
                + " moved to "
                + RunContext.shortSha(base)
                + "; made the task's "
                + r.moved().size()
                + " of "
                + commits.size()
                + " commit(s) again on it");
    return !r.head().equals(head);
  }

  /** Each batch's copy on the new base and its conflicts; the task's labels. */
  private static void record(
      RunContext c, ObjectId base, List<RevCommit> commits, Replay.Result r) {
    RunState state = c.state();
    Map<String, List<String>> byCommit = new LinkedHashMap<>();
    List<String> paths = new ArrayList<>();
    boolean dropped = false;
    for (Replay.Conflict x : r.conflicts()) {
      byCommit.computeIfAbsent(x.commit(), k -> new ArrayList<>()).add(describe(x));
      paths.add(x.path());
      dropped |= !x.merged();
      c.out()
          .warn(
              x.path()
                  + ": "
                  + (x.merged()
                      ? "merged structurally with the base's changes"
                      : "the task's change dropped")
                  + " ("
                  + describe(x)
                  + ")");
    }
    for (RevCommit x : commits) {
      ObjectId copy = r.moved().get(x.getId());
      if (copy != null) {
        state.git().own(copy.name());
      }
      BatchState batch = batchOf(c, x);
      if (batch != null) {
        batch.rebased(
            base.name(),
            copy == null ? null : copy.name(),
            byCommit.getOrDefault(x.name(), List.of()));
      }
    }
    if (!paths.isEmpty()) {
      state.git().conflicted(paths);
    }
    if (dropped) {
      state.label("needs-manual-review");
    }
  }

  static String describe(Replay.Conflict x) {
    String upstream = x.upstream() == null ? "" : "; the base's commit " + x.upstream();
    return x.path()
        + ": "
        + (x.merged()
            ? "merged structurally"
                + (x.renamed().isEmpty() ? "" : ", the task's " + renames(x.renamed()))
            : "dropped (" + x.why() + upstream + ")");
  }

  private static String renames(Map<String, String> renamed) {
    List<String> out = new ArrayList<>();
    renamed.forEach((from, to) -> out.add(from + " renamed " + to));
    return String.join(", ", out);
  }

  /**
   * The batch a commit is (by its batch trailer; a revert of a batch carries it too and is not).
   */
  private static BatchState batchOf(RunContext c, RevCommit x) {
    if (x.getShortMessage().startsWith("Revert batch")) {
      return null;
    }
    for (String n : x.getFooterLines(CommitPhase.BATCH_TRAILER)) {
      try {
        int i = Integer.parseInt(n.trim()) - 1;
        List<BatchState> batches = c.state().batches();
        if (i >= 0 && i < batches.size() && batches.get(i).committed()) {
          return batches.get(i);
        }
      } catch (NumberFormatException e) {
        // not one of etask's batch numbers
      }
    }
    return null;
  }

  /** The structural merge, run with the venv's Python in the tools' confinement. */
  private static Replay.TestMerge merger(RunContext c) {
    return (path, base, upstream, task) -> {
      Path dir = c.ws().toolOutput("rebase");
      try {
        Files.createDirectories(dir);
        Path b = Files.write(dir.resolve("base.py"), base);
        Path u = Files.write(dir.resolve("upstream.py"), upstream);
        Path t = Files.write(dir.resolve("task.py"), task);
        Path out = dir.resolve("merged.py");
        Files.deleteIfExists(out);
        Command command =
            c.python()
                .tool(
                    "rebase",
                    List.of(
                        c.python().python().toString(),
                        c.python().script("structural_merge.py").toString(),
                        b.toString(),
                        u.toString(),
                        t.toString(),
                        out.toString()),
                    dir.resolve("cache"),
                    MERGE_TIMEOUT,
                    c.ws().logs().resolve("rebase-merge.log"));
        ProcessRunner.Result result = c.runner().run(command);
        String last = result.output().strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        if (!result.ok() || !Files.exists(out)) {
          return new Replay.Merged(
              null, last.isEmpty() ? "exit " + result.exitCode() : last, Map.of());
        }
        Map<String, String> renamed = new LinkedHashMap<>();
        dev.etask.core.json.Json.MAPPER
            .readTree(last)
            .path("renamed")
            .fields()
            .forEachRemaining(e -> renamed.put(e.getKey(), e.getValue().asText()));
        return new Replay.Merged(Files.readAllBytes(out), null, renamed);
      } catch (IOException e) {
        return new Replay.Merged(null, "cannot run the merge: " + e.getMessage(), Map.of());
      }
    };
  }
}
