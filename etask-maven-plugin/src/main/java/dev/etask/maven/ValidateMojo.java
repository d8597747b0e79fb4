package dev.etask.maven;

import dev.etask.core.engine.Engine;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Runs the gates (ruff, pytest under coverage, mypy) on the generated batch against the state before it, prints the gate table and records the rule book's decision.
 *
 * @since 0.1.0
 */
@Mojo(name = "validate", aggregator = true, requiresProject = false, threadSafe = true)
public class ValidateMojo extends AbstractEtaskMojo {
  @Override
  protected void executeGoal() throws MojoFailureException {
    try (Engine engine = open()) {
      engine.validate();
    }
  }
}
