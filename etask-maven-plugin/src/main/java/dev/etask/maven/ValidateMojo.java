package dev.etask.maven;

import dev.etask.core.engine.Engine;
import dev.etask.core.engine.checkout.CheckoutValidator;
import dev.etask.core.spec.SpecLoader;
import java.io.File;
import java.nio.file.Path;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * With a task ({@code -Detask.spec}): runs the gates (ruff, pytest under coverage, mypy) on the
 * generated batch against the state before it, prints the gate table and records the rule book's
 * decision. By hand (no spec, or {@code -Detask.checkout}): runs the gates on a Python checkout's
 * working tree against its HEAD, prints the table, and fails the build when a gate fails.
 *
 * @since 0.1.0
 */
@Mojo(name = "validate", aggregator = true, requiresProject = false, threadSafe = true)
public class ValidateMojo extends AbstractEtaskMojo {

  /**
   * A checkout to validate by hand (its working tree against its HEAD), with the gate settings of
   * {@code etask.spec} when one is given. Without a spec, the checkout Maven runs in.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.checkout")
  private File checkout;

  @Override
  protected void executeGoal() throws MojoFailureException {
    if (spec != null && checkout == null) {
      try (Engine engine = open()) {
        engine.validate();
      }
      return;
    }
    Path where = checkout == null ? runDir() : runDir().resolve(checkout.toPath()).normalize();
    CheckoutValidator.Result r =
        CheckoutValidator.validate(
            where,
            workDir.toPath(),
            cacheDir(),
            spec == null ? null : SpecLoader.load(config().spec()),
            sandboxMode(),
            new MavenListener(getLog()));
    if (!r.passed()) {
      throw new MojoFailureException(
          "etask: the gates fail on "
              + where
              + ": "
              + r.decision().reason()
              + " ("
              + r.decision().verdict().name().toLowerCase(java.util.Locale.ROOT)
              + ").");
    }
  }
}
