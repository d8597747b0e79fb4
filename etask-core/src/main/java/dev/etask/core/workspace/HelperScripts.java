package dev.etask.core.workspace;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * etask's Python helper scripts, as the jar ships them: the workspace's own (the worker, the
 * project inspection) beside this class, the gates' (coverage data, test checks, unittest's report)
 * beside the gates package, the built-in generators' beside the generate package, the rebase's
 * structural merge beside the engine package. Each is written into a workspace's helpers folder
 * when missing or not what etask ships (without a sandbox a test could have changed it).
 */
final class HelperScripts {
  private static final String GATES = "/dev/etask/core/gates/";
  private static final String GENERATE = "/dev/etask/core/generate/";
  private static final String ENGINE = "/dev/etask/core/engine/";

  private HelperScripts() {}

  static Path write(Workspace workspace, String name) {
    try (InputStream in = resource(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return workspace.helper("etask-" + name, in.readAllBytes());
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot write " + workspace.helpers().resolve("etask-" + name) + ": " + e.getMessage(),
          Hints.workFolder(),
          e);
    }
  }

  private static InputStream resource(String name) {
    InputStream own = HelperScripts.class.getResourceAsStream(name);
    if (own != null) {
      return own;
    }
    for (String folder : List.of(GATES, GENERATE, ENGINE)) {
      InputStream in = HelperScripts.class.getResourceAsStream(folder + name);
      if (in != null) {
        return in;
      }
    }
    return null;
  }
}
