package dev.etask.maven;

import dev.etask.core.report.Dashboard;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Sums up many tasks: reads every {@code status.json} under {@code etask.artifactsDir} (this
 * machine's artifacts, or the artifacts of many CI jobs downloaded into one folder) and writes
 * {@code dashboard.md} and {@code dashboard.json} — each task's status, exit code, commits, tests,
 * coverage, labels, PR and time, the totals, and the conflict rate, first-try gate pass and task
 * time against their targets. A status file it cannot read is listed with its path and why. Runs no
 * task and changes nothing else.
 *
 * @since 0.1.0
 */
@Mojo(name = "dashboard", aggregator = true, requiresProject = false, threadSafe = true)
public class DashboardMojo extends AbstractEtaskMojo {
  /**
   * Where {@code dashboard.md} and {@code dashboard.json} are written; default the folder read.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.dashboardDir")
  protected File dashboardDir;

  @Override
  protected void executeGoal() throws MojoFailureException {
    Path folder = artifactsRoot();
    if (!Files.isDirectory(folder)) {
      throw new MojoFailureException(
          "etask: no folder "
              + folder
              + " to read status.json files from: set -Detask.artifactsDir to the folder that"
              + " holds the tasks' artifacts (for CI, the folder the job artifacts were downloaded"
              + " into)");
    }
    List<Path> files;
    try {
      files = Dashboard.statusFiles(folder);
    } catch (IOException e) {
      throw new MojoFailureException("etask: cannot list " + folder + ": " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      getLog().warn("etask: no status.json under " + folder + ": the dashboard lists no task");
    }
    Dashboard d = Dashboard.of(folder.toString(), files, List.of());
    Path out = dashboardDir == null ? folder : resolve(dashboardDir);
    DashboardLog.write(getLog(), d, out);
  }
}
