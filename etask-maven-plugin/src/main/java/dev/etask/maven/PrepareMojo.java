package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Loads and validates the spec, takes the task's lock, clones or fetches the repository, creates or
 * adopts the task branch, builds the Python environment and measures the baseline (kept while the
 * base is unchanged).
 *
 * @since 0.1.0
 */
@Mojo(name = "prepare", aggregator = true, requiresProject = false, threadSafe = true)
public class PrepareMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.prepare();
    }
  }
}
