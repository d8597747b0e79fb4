package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Opens the task's pull request, or updates it when it exists, through {@code pr.provider}.
 *
 * @since 0.1.0
 */
@Mojo(name = "pr", aggregator = true, requiresProject = false, threadSafe = true)
public class PrMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.publish();
    }
  }
}
