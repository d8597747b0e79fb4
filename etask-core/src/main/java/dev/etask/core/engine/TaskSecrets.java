package dev.etask.core.engine;

import dev.etask.core.git.Origin;
import dev.etask.core.process.Environments;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** The secrets a task knows of, registered with its redactor before anything else happens. */
final class TaskSecrets {
  private TaskSecrets() {}

  /**
   * Every secret is known before the first line is printed, the first file written or the first
   * child started.
   */
  static Redactor of(Engine.Config config, TaskSpec spec, Workspace ws) {
    Redactor redactor = Redactor.none();
    config.secrets().forEach(redactor::add);
    config.servers().values().forEach(redactor::add);
    new Environments(config.environment(), ws.home()).registerSecrets(redactor);
    for (TaskSpec.Llm llm :
        java.util.Arrays.asList(spec.generator().llm(), spec.pr().semanticReview())) {
      String key = llm == null ? null : config.environment().get(llm.apiKeyEnv());
      if (key != null && !key.isBlank()) {
        redactor.add(key);
      }
    }

    if (spec.repository().url() != null) {
      Origin.parse(spec.repository().url()).secrets().forEach(redactor::add);
    }
    try {
      // credentials anywhere in the spec (an index URL in python.install, say)
      Environments.registerUrlCredentials(
          Files.readString(config.spec(), StandardCharsets.UTF_8), redactor);
    } catch (IOException e) {
      // the spec was just read; a spec that cannot be read again has no more to tell
    }
    return redactor;
  }
}
