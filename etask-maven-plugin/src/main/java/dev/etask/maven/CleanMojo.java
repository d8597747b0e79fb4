package dev.etask.maven;

import dev.etask.core.engine.Cleaner;
import dev.etask.core.spec.SpecLoader;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes a task's workspace and run state (clone, virtualenv, logs, state.json) so the next run
 * starts over. Never touches the artifacts, the pushed branch or the pull request.
 *
 * @since 0.1.0
 */
@Mojo(name = "clean", aggregator = true, requiresProject = false, threadSafe = true)
public class CleanMojo extends AbstractEtaskMojo {

  /**
   * The task id to clean, when there is no (valid) spec to read it from.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.id")
  private String id;

  @Override
  protected void executeGoal() throws MojoFailureException {
    String taskId = id;
    if (taskId == null) {
      if (spec == null) {
        throw new MojoFailureException(
            "Say which task to clean: -Detask.spec=path/to/task.yaml or -Detask.id=<id>.");
      }
      taskId = SpecLoader.load(config().spec()).id();
    }
    Path artifacts = artifactsDir == null ? null : artifactsDir.toPath();
    Cleaner.clean(workDir.toPath(), artifacts, taskId, new MavenListener(getLog()));
  }
}
