package dev.etask.maven;

import dev.etask.core.spec.TaskTypes;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Lists the task types ({@code type:} in a task spec) with what each does, its options and the
 * defaults it gives a spec. Reads nothing and changes nothing.
 *
 * @since 0.1.0
 */
@Mojo(name = "templates", aggregator = true, requiresProject = false, threadSafe = true)
public class TemplatesMojo extends AbstractMojo {

  /**
   * Show only this type.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.type")
  private String type;

  @Override
  public void execute() throws MojoFailureException {
    String listing = TaskTypes.listing(type);
    if (listing == null) {
      throw new MojoFailureException(
          "'"
              + type
              + "' is not a task type etask has; the types: "
              + String.join(", ", TaskTypes.names())
              + " (leave -Detask.type out to list them all)");
    }
    listing.lines().forEach(getLog()::info);
  }
}
