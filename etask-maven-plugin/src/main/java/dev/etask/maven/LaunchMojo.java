package dev.etask.maven;

import dev.etask.core.engine.Engine;
import dev.etask.core.engine.Launch;
import dev.etask.core.report.Dashboard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Runs many tasks in this one JVM, each as {@code etask:run} runs it (its own workspace, state,
 * lock, child processes and secrets), {@code etask.parallel} at a time. Every task's lines carry
 * its spec's name; the build's result is the worst task's: it fails when a task is fatal, warns (or
 * fails with {@code etask.failOnRisk}) when one is partial or risky.
 *
 * @since 0.1.0
 */
@Mojo(name = "launch", aggregator = true, requiresProject = false, threadSafe = true)
public class LaunchMojo extends AbstractEtaskMojo {
  /**
   * A folder of task specs ({@code *.yaml}, {@code *.yml}) or a glob such as {@code tasks/*.yaml}.
   */
  @Parameter(property = "etask.tasks")
  protected String tasks;

  /** How many tasks run at once; 0 (the default) means one per processor. */
  @Parameter(property = "etask.parallel", defaultValue = "0")
  protected int parallel;

  @Override
  protected void executeGoal() throws MojoFailureException {
    List<Path> specs = Launch.specs(runDir(), tasks);
    int n = parallel > 0 ? parallel : Runtime.getRuntime().availableProcessors();
    List<Engine.Config> configs = new ArrayList<>();
    for (Path spec : specs) {
      configs.add(config(spec));
    }
    getLog().info("");
    getLog()
        .info(
            "── LAUNCH ── "
                + specs.size()
                + " task(s) from "
                + tasks
                + ", "
                + Math.min(n, specs.size())
                + " at a time");
    List<Launch.Result> results = Launch.run(configs, n, name -> new MavenListener(getLog(), name));
    getLog().info("");
    summary(results);
    dashboard(results);
    List<String> fatal = withExit(results, 1);
    List<String> risky = withExit(results, 2);
    if (!fatal.isEmpty()) {
      throw new MojoFailureException(
          "etask: "
              + fatal.size()
              + " of "
              + results.size()
              + " task(s) failed: "
              + String.join(", ", fatal)
              + " (their lines above say why; a task that stopped has a FAILURE.md in its"
              + " artifacts folder). Fix them and run the same command again: the others only"
              + " refresh their PR.");
    }
    if (!risky.isEmpty()) {
      String msg =
          "etask: "
              + risky.size()
              + " of "
              + results.size()
              + " task(s) partial or risky (exit code 2): "
              + String.join(", ", risky);
      if (failOnRisk) {
        throw new MojoFailureException(msg + ". Failing because of -Detask.failOnRisk.");
      }
      getLog().warn(msg);
    }
  }

  /** One line per task: its exit code, summary and status. */
  private void summary(List<Launch.Result> results) {
    getLog().info("── SUMMARY ──");
    int width = results.stream().mapToInt(r -> r.id().length()).max().orElse(4);
    for (Launch.Result r : results) {
      getLog()
          .info(
              String.format(
                  "  %-" + width + "s  exit %d  %s%s",
                  r.id(),
                  r.exitCode(),
                  r.summary(),
                  r.status() == null ? "" : "  (" + r.status() + ")"));
    }
  }

  /** The launched tasks' dashboard, in the artifacts folder: those without a status file too. */
  private void dashboard(List<Launch.Result> results) throws MojoFailureException {
    List<Path> files = new ArrayList<>();
    List<Dashboard.Missing> missing = new ArrayList<>();
    for (Launch.Result r : results) {
      if (r.status() != null && Files.isRegularFile(r.status())) {
        files.add(r.status());
      } else {
        missing.add(new Dashboard.Missing(r.id(), r.spec(), r.summary()));
      }
    }
    getLog().info("");
    DashboardLog.write(getLog(), Dashboard.of(tasks, files, missing), artifactsRoot());
  }

  private static List<String> withExit(List<Launch.Result> results, int code) {
    return results.stream().filter(r -> r.exitCode() == code).map(Launch.Result::id).toList();
  }
}
