package dev.etask.maven;

import dev.etask.core.report.Dashboard;
import dev.etask.core.report.DashboardPage;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;

/** Writes a dashboard and says in the build log what it found and where it is. */
final class DashboardLog {
  private DashboardLog() {}

  static Path write(Log log, Dashboard d, Path folder) throws MojoFailureException {
    Path md;
    try {
      md = folder.resolve("dashboard.md");
      AtomicFiles.write(folder.resolve("dashboard.json"), DashboardPage.json(d));
      AtomicFiles.write(md, DashboardPage.markdown(d));
    } catch (IOException e) {
      throw new MojoFailureException(
          "etask: cannot write the dashboard into " + folder + ": " + e.getMessage(), e);
    }
    Dashboard.Totals t = d.totals();
    log.info("── DASHBOARD ── " + md + " (and dashboard.json)");
    log.info(
        "  "
            + t.tasks()
            + " task(s): "
            + t.ok()
            + " ok, "
            + t.partial()
            + " partial, "
            + t.risky()
            + " risky, "
            + t.failed()
            + " failed; "
            + t.commits()
            + " commit(s)");
    for (Dashboard.Figure f : d.figures()) {
      String met = f.met() == null ? "" : f.met() ? "  (met)" : "  (MISSED)";
      log.info("  " + f.name() + ": " + f.value() + "; target " + f.target() + met);
    }
    for (Dashboard.Unreadable u : d.unreadable()) {
      log.warn("unreadable status file " + u.path() + ": " + u.reason());
    }
    return md;
  }
}
