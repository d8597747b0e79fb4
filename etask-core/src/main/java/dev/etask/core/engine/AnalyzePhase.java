package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * ANALYZE: resolves {@code target.include}/{@code exclude} over the files tracked on the base and
 * plans the batches ({@code single_file}, {@code per_directory}, {@code all}, {@code
 * per_dependency}); batches an adopted branch already holds are done. A no-op once done.
 */
final class AnalyzePhase implements Phase {
  @Override
  public String name() {
    return "analyze";
  }

  @Override
  public void execute(RunContext c) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    if (BranchGuard.halted(c)) {
      return;
    }
    requirePrepared(c);
    if (state.analyzed()) {
      ReviewComments.plan(c); // a finished task whose PR has new comments has a batch again
      return;
    }
    c.out().phase("ANALYZE", "");
    List<String> targets = targets(c);
    state.planned(
        spec.strategy().batchMode() == TaskSpec.BatchMode.PER_DEPENDENCY
            ? DependencyPlan.plan(c, targets)
            : plan(targets, spec.strategy().batchMode()));
    for (BatchState b : state.batches()) {
      if (b.upgrade() == null
          && !state.git().adoptedTargets().isEmpty()
          && state.git().adoptedTargets().containsAll(b.files())) {
        b.close(
            Decision.of(
                Verdict.ACCEPT, "already on " + spec.branch() + " (adopted from the origin)"));
      }
    }
    c.out()
        .info(
            targets.size()
                + " target file(s) → "
                + state.batches().size()
                + " batch(es) ("
                + spec.strategy().batchMode().name().toLowerCase(Locale.ROOT)
                + ")");
  }

  /** The tracked files the spec's target includes and does not exclude; none is an error. */
  static List<String> targets(RunContext c) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    List<String> tracked;
    try (GitRepo git = c.openClone()) {
      tracked = git.trackedFiles();
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
    List<String> targets =
        tracked.stream()
            .filter(p -> spec.target().include().stream().anyMatch(g -> g.matches(p)))
            .filter(p -> spec.target().exclude().stream().noneMatch(g -> g.matches(p)))
            .sorted()
            .toList();
    if (targets.isEmpty()) {
      throw new EtaskException(
          Code.NO_TARGETS,
          "target.include "
              + spec.target().include()
              + " (minus exclude "
              + spec.target().exclude()
              + ") matches none of the "
              + tracked.size()
              + " tracked files on "
              + state.git().base()
              + " (e.g. "
              + String.join(", ", tracked.stream().filter(p -> p.endsWith(".py")).limit(5).toList())
              + ")",
          Hints.targetInclude(c.config().spec()));
    }
    return targets;
  }

  static List<BatchState> plan(List<String> targets, TaskSpec.BatchMode mode) {
    List<List<String>> groups = new ArrayList<>();
    switch (mode) {
      case ALL -> groups.add(targets);
      case PER_DIRECTORY -> {
        Map<String, List<String>> byDir = new TreeMap<>();
        for (String t : targets) {
          int slash = t.lastIndexOf('/');
          byDir
              .computeIfAbsent(slash < 0 ? "" : t.substring(0, slash), k -> new ArrayList<>())
              .add(t);
        }
        groups.addAll(byDir.values());
      }
      default -> targets.forEach(t -> groups.add(List.of(t)));
    }
    List<BatchState> batches = new ArrayList<>();
    for (List<String> g : groups) {
      batches.add(new BatchState(batches.size(), g));
    }
    return batches;
  }

  static void requirePrepared(RunContext c) {
    if (!c.state().prepared()) {
      throw new EtaskException(
          Code.NOT_PREPARED,
          "task '" + c.spec().id() + "' is not prepared yet",
          c.hints().prepareFirst());
    }
  }

  static void requireAnalyzed(RunContext c) {
    requirePrepared(c);
    if (!c.state().analyzed()) {
      throw new EtaskException(
          Code.NOT_PREPARED,
          "task '" + c.spec().id() + "' has no batches planned yet",
          c.hints().analyzeFirst());
    }
  }
}
