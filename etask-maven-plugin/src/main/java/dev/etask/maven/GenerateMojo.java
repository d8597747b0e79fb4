package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Runs the generator on the next pending batch and checks that it changed only allowed files.
 *
 * @since 0.1.0
 */
@Mojo(name = "generate", aggregator = true, requiresProject = false, threadSafe = true)
public class GenerateMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.generate();
    }
  }
}
