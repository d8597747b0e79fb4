package dev.etask.maven;

import dev.etask.core.engine.Launch;
import dev.etask.core.report.ActionsWorkflow;
import dev.etask.core.workspace.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Runs many tasks past one machine on GitHub Actions: writes {@code .github/workflows/etask.yml}
 * with one job per task spec ({@code fail-fast: false}, {@code max-parallel} from {@code
 * etask.parallel}), each running {@code etask:run} for its spec in the sandbox with Maven's and
 * uv's download caches kept and uploading its artifacts, and a final job that downloads them all
 * and writes the dashboard into the run's step summary. With {@code -Detask.format=json} it writes
 * only the JSON for {@code strategy.matrix}. Runs no task. A workflow file etask did not write is
 * never overwritten.
 *
 * @since 0.1.0
 */
@Mojo(name = "matrix", aggregator = true, requiresProject = false, threadSafe = true)
public class MatrixMojo extends AbstractEtaskMojo {
  /** The task specs: a folder of {@code *.yaml} / {@code *.yml} files or a glob. */
  @Parameter(property = "etask.tasks", defaultValue = "tasks")
  protected String tasks;

  /** How many jobs run at once ({@code max-parallel}). */
  @Parameter(property = "etask.parallel", defaultValue = "4")
  protected int parallel;

  /** {@code yaml} (a whole workflow) or {@code json} (the {@code strategy.matrix} only). */
  @Parameter(property = "etask.format", defaultValue = "yaml")
  protected String format;

  /**
   * The file written; default {@code .github/workflows/etask.yml}, or {@code <workDir>/matrix.json}
   * for the JSON.
   */
  @Parameter(property = "etask.output")
  protected File output;

  @Override
  protected void executeGoal() throws MojoFailureException {
    boolean json = "json".equalsIgnoreCase(format);
    if (!json && !"yaml".equalsIgnoreCase(format)) {
      throw new MojoFailureException(
          "etask: -Detask.format=" + format + " is not a format of etask:matrix: yaml or json");
    }
    if (parallel < 1) {
      throw new MojoFailureException(
          "etask: -Detask.parallel=" + parallel + ": max-parallel must be at least 1");
    }
    List<Path> specs = Launch.specs(runDir(), tasks);
    List<ActionsWorkflow.Job> jobs = ActionsWorkflow.jobs(runDir(), specs);
    Path out =
        output != null
            ? resolve(output)
            : json
                ? resolve(workDir).resolve("matrix.json")
                : runDir().resolve(".github/workflows/etask.yml");
    String text =
        json
            ? ActionsWorkflow.matrixJson(jobs)
            : ActionsWorkflow.yaml(jobs, parallel, coordinates(), tasks);
    try {
      if (!json && Files.isRegularFile(out) && !ownWorkflow(out)) {
        throw new MojoFailureException(
            "etask: "
                + out
                + " exists and etask did not write it (its first line is not '"
                + ActionsWorkflow.HEADER
                + " …'): not overwritten. Move it, or write etask's elsewhere with"
                + " -Detask.output=.github/workflows/etask-tasks.yml");
      }
      AtomicFiles.write(out, text);
    } catch (IOException e) {
      throw new MojoFailureException("etask: cannot write " + out + ": " + e.getMessage(), e);
    }
    getLog()
        .info(
            "etask: "
                + out
                + ": "
                + jobs.size()
                + " job(s), "
                + Math.min(parallel, jobs.size())
                + " at a time: "
                + String.join(", ", jobs.stream().map(ActionsWorkflow.Job::task).toList()));
    if (json) {
      getLog().info(text.strip());
    }
  }

  private static boolean ownWorkflow(Path file) throws IOException {
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      return lines.findFirst().map(l -> l.startsWith(ActionsWorkflow.HEADER)).orElse(false);
    } catch (java.io.UncheckedIOException e) {
      return false; // not UTF-8: not ours
    }
  }

  /** This plugin's groupId:artifactId:version, as the workflow's jobs call it. */
  private String coordinates() {
    var d = mojoExecution.getMojoDescriptor().getPluginDescriptor();
    return d.getGroupId() + ":" + d.getArtifactId() + ":" + d.getVersion();
  }
}
