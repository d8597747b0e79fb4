package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Computes totals, labels, risk level and exit code, and writes {@code status.json} and {@code
 * pr.md}.
 *
 * @since 0.1.0
 */
@Mojo(name = "aggregate", aggregator = true, requiresProject = false, threadSafe = true)
public class AggregateMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      conclude(engine, engine.aggregate());
    }
  }
}
