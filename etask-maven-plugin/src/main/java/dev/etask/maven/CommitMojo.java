package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Applies the batch's decision: commits and pushes an accepted batch (rebasing on a moved base), or
 * restores the tree.
 *
 * @since 0.1.0
 */
@Mojo(name = "commit", aggregator = true, requiresProject = false, threadSafe = true)
public class CommitMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.commit();
    }
  }
}
