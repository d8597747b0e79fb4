package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Resolves the target files (include/exclude globs over tracked files) and plans the batches; a
 * no-op once done.
 *
 * @since 0.1.0
 */
@Mojo(name = "analyze", aggregator = true, requiresProject = false, threadSafe = true)
public class AnalyzeMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.analyze();
    }
  }
}
