package dev.etask.core.report;

import dev.etask.core.report.Dashboard.Figure;
import dev.etask.core.report.Dashboard.Task;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The seed's §12 success criteria measured over many tasks: conflict rate (&lt; 10 % of tasks need
 * a person to resolve a conflict), first-try gate pass (&gt; 85 % of batches), task time (mean &lt;
 * 30 min), coverage gained by the tasks that measured it (a trend over weeks: reported, never
 * marked met) and review time (not something etask sees). A figure with nothing to measure says so;
 * it is never a pass.
 */
final class DashboardFigures {
  static final String CONFLICT_RATE = "conflict rate";
  static final String FIRST_TRY = "first-try gate pass";
  static final String TASK_TIME = "task time (mean)";
  static final String COVERAGE = "coverage gained (mean)";
  static final String REVIEW = "review time";

  private DashboardFigures() {}

  static List<Figure> of(List<Task> tasks) {
    return List.of(
        conflictRate(tasks), firstTry(tasks), taskTime(tasks), coverage(tasks), review());
  }

  private static Figure conflictRate(List<Task> tasks) {
    List<Task> ran = tasks.stream().filter(t -> t.durationSeconds() != null).toList();
    if (ran.isEmpty()) {
      return new Figure(CONFLICT_RATE, "not measured (no task ran)", "< 10 %", null);
    }
    long conflicted = ran.stream().filter(Task::needsConflictResolution).count();
    long rebased = ran.stream().filter(Task::rebased).count();
    double rate = 100.0 * conflicted / ran.size();
    return new Figure(
        CONFLICT_RATE,
        String.format(
            Locale.ROOT,
            "%.0f %% (%d of %d tasks need a person; %d rebased by etask)",
            rate,
            conflicted,
            ran.size(),
            rebased),
        "< 10 %",
        rate < 10);
  }

  private static Figure firstTry(List<Task> tasks) {
    int judged = tasks.stream().mapToInt(Task::batchesJudged).sum();
    int passed = tasks.stream().mapToInt(Task::firstTryPasses).sum();
    if (judged == 0) {
      return new Figure(FIRST_TRY, "not measured (no batch was judged)", "> 85 %", null);
    }
    double rate = 100.0 * passed / judged;
    return new Figure(
        FIRST_TRY,
        String.format(Locale.ROOT, "%.0f %% (%d of %d batches)", rate, passed, judged),
        "> 85 %",
        rate > 85);
  }

  private static Figure taskTime(List<Task> tasks) {
    List<Long> times =
        tasks.stream().map(Task::durationSeconds).filter(Objects::nonNull).sorted().toList();
    if (times.isEmpty()) {
      return new Figure(TASK_TIME, "not measured (no task has both times)", "< 30 min", null);
    }
    double mean = times.stream().mapToLong(Long::longValue).average().orElse(0);
    return new Figure(
        TASK_TIME,
        duration(Math.round(mean)) + " (longest " + duration(times.get(times.size() - 1)) + ")",
        "< 30 min",
        mean < 30 * 60);
  }

  private static Figure coverage(List<Task> tasks) {
    List<Double> deltas =
        measured(tasks).stream().map(t -> t.coverageAfter() - t.coverageBefore()).toList();
    if (deltas.isEmpty()) {
      return new Figure(
          COVERAGE, "not measured (no task that ran to its end has both)", "+1–2 % a week", null);
    }
    double mean = deltas.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    return new Figure(
        COVERAGE,
        String.format(
            Locale.ROOT, "%+.1f points (%d tasks that did not fail)", mean, deltas.size()),
        "+1–2 % a week",
        null);
  }

  /** The tasks that did not fail and measured coverage before and after. */
  static List<Task> measured(List<Task> tasks) {
    return tasks.stream()
        .filter(t -> !t.status().equals("failed"))
        .filter(t -> t.coverageBefore() != null && t.coverageAfter() != null)
        .toList();
  }

  private static Figure review() {
    return new Figure(
        REVIEW, "not measured (a reviewer's time is not in status.json)", "< 5 min a PR", null);
  }

  /** 42s, 3m 05s, 1h 02m. */
  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
