package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Runs a whole task in one process: prepare, analyze, then generate, validate and commit for every
 * batch within the limits, then aggregate and pr. Running it again resumes from {@code state.json}.
 *
 * @since 0.1.0
 */
@Mojo(name = "run", aggregator = true, requiresProject = false, threadSafe = true)
public class RunMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      conclude(engine, engine.run());
    }
  }
}
