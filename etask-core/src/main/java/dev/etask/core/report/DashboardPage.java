package dev.etask.core.report;

import dev.etask.core.json.Json;
import dev.etask.core.report.Dashboard.Figure;
import dev.etask.core.report.Dashboard.Task;
import dev.etask.core.report.Dashboard.Unreadable;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders a {@link Dashboard} as {@code dashboard.md} (one screen for a person: the totals, the
 * figures against their targets, one row per task, why tasks failed, a coverage chart where there
 * are several tasks to compare, the unreadable files) and {@code dashboard.json} (the same, for
 * tools).
 */
public final class DashboardPage {
  private DashboardPage() {}

  /** {@code dashboard.json}: the dashboard for tools. */
  public static String json(Dashboard d) throws IOException {
    return Json.MAPPER.writeValueAsString(d);
  }

  public static String markdown(Dashboard d) {
    StringBuilder out = new StringBuilder("# etask dashboard\n\n");
    Dashboard.Totals t = d.totals();
    out.append(
        String.format(
            Locale.ROOT,
            "%d task(s) from `%s`: %d ok, %d partial, %d risky, %d failed · %d commit(s)%s\n\n",
            t.tasks(),
            d.source(),
            t.ok(),
            t.partial(),
            t.risky(),
            t.failed(),
            t.commits(),
            t.unreadable() == 0 ? "" : " · **" + t.unreadable() + " unreadable status file(s)**"));
    out.append("| Figure | Value | Target | Met |\n|---|---|---|---|\n");
    for (Figure f : d.figures()) {
      out.append(
          row(f.name(), f.value(), f.target(), f.met() == null ? "—" : f.met() ? "✅ yes" : "❌ no"));
    }
    tasks(out, d.tasks());
    failures(out, d.tasks());
    chart(out, d.tasks());
    unreadable(out, d.unreadable());
    return out.toString();
  }

  private static void tasks(StringBuilder out, List<Task> tasks) {
    out.append("\n## Tasks\n\n")
        .append("| Task | Status | Exit | Commits | Tests | Coverage | Labels | PR | Time |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (Task x : tasks) {
      out.append(
          row(
              "`" + x.id() + "`",
              x.status(),
              String.valueOf(x.exitCode()),
              String.valueOf(x.commits()),
              tests(x),
              coverage(x),
              x.labels().isEmpty() ? "" : String.join(", ", x.labels()),
              x.prUrl() == null ? "" : "[PR](" + x.prUrl() + ")",
              x.durationSeconds() == null ? "" : DashboardFigures.duration(x.durationSeconds())));
    }
  }

  private static void failures(StringBuilder out, List<Task> tasks) {
    List<Task> notOk = tasks.stream().filter(x -> x.why() != null).toList();
    if (notOk.isEmpty()) {
      return;
    }
    out.append("\n## Why\n\n");
    for (Task x : notOk) {
      out.append("- **")
          .append(x.id())
          .append("** (")
          .append(x.status())
          .append("): ")
          .append(oneLine(x.why()))
          .append(" — `")
          .append(x.path())
          .append("`\n");
    }
  }

  /** Coverage before → after, as bars, when at least two tasks that did not fail measured both. */
  private static void chart(StringBuilder out, List<Task> tasks) {
    List<Task> measured = DashboardFigures.measured(tasks);
    if (measured.size() < 2) {
      return;
    }
    out.append("\n## Coverage\n\n```mermaid\nxychart-beta\n")
        .append("  title \"Coverage before (line) and after (bars), %\"\n")
        .append("  x-axis [")
        .append(measured.stream().map(x -> "\"" + x.id() + "\"").collect(Collectors.joining(", ")))
        .append("]\n  y-axis \"coverage %\" 0 --> 100\n")
        .append("  bar [")
        .append(numbers(measured, true))
        .append("]\n  line [")
        .append(numbers(measured, false))
        .append("]\n```\n");
  }

  private static void unreadable(StringBuilder out, List<Unreadable> unreadable) {
    if (unreadable.isEmpty()) {
      return;
    }
    out.append("\n## Unreadable status files\n\n");
    for (Unreadable u : unreadable) {
      out.append("- `").append(u.path()).append("`: ").append(oneLine(u.reason())).append('\n');
    }
  }

  private static String numbers(List<Task> tasks, boolean after) {
    return tasks.stream()
        .map(
            x -> String.format(Locale.ROOT, "%.1f", after ? x.coverageAfter() : x.coverageBefore()))
        .collect(Collectors.joining(", "));
  }

  private static String tests(Task x) {
    if (x.testsPassed() == null) {
      return "";
    }
    return x.testsPassed()
        + " passed"
        + (x.testsFailed() == null || x.testsFailed() == 0
            ? ""
            : ", " + x.testsFailed() + " failed");
  }

  private static String coverage(Task x) {
    if (x.coverageBefore() == null || x.coverageAfter() == null) {
      return x.coverageAfter() == null
          ? ""
          : String.format(Locale.ROOT, "%.1f %%", x.coverageAfter());
    }
    return String.format(Locale.ROOT, "%.1f → %.1f %%", x.coverageBefore(), x.coverageAfter());
  }

  private static String row(String... cells) {
    StringBuilder b = new StringBuilder("|");
    for (String c : cells) {
      b.append(' ').append(oneLine(c).replace("|", "\\|")).append(" |");
    }
    return b.append('\n').toString();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
