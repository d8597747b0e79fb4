package dev.etask.core.engine;

import dev.etask.core.gates.RunnerConfig;
import dev.etask.core.git.Change;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch may change (docs/ARCHITECTURE.md §6): its own files and {@code target.writable};
 * what configures the test runner, the tools or git's checkout only when named exactly; links only
 * to inside the clone.
 */
final class Allowlist {
  private Allowlist() {}

  /**
   * The changes outside what the batch may change, each with the reason; empty when all are
   * allowed.
   */
  static List<String> violations(RunContext c, BatchState batch, List<Change> changes) {
    TaskSpec spec = c.spec();
    List<String> bad = new ArrayList<>();
    Path root = c.ws().repo().toAbsolutePath().normalize();
    for (Change change : changes) {
      String p = change.path();
      boolean allowed =
          batch.files().contains(p)
              || spec.target().writable().stream().anyMatch(g -> g.matches(p));
      if (!allowed) {
        bad.add(p);
        continue;
      }
      boolean named =
          RunnerConfig.namedExactly(p, spec.target().writable())
              || RunnerConfig.namedExactly(p, spec.target().include());
      if (RunnerConfig.isRunnerConfig(p) && !named) {
        bad.add(
            p
                + " (it configures the test runner, the tools or git's checkout: only a path named exactly in target.writable,"
                + " never a glob, allows it)");
        continue;
      }
      Path file = root.resolve(p);
      if (!named
          && p.endsWith(".py")
          && change.kind() != Change.Kind.DELETED
          && Files.isRegularFile(file)
          && !Files.isSymbolicLink(file)) {
        try {
          if (RunnerConfig.configuresTheRunner(
              Files.readString(file, StandardCharsets.ISO_8859_1))) {
            bad.add(
                p
                    + " (it loads pytest plugins or defines pytest hooks, which configures the test runner as a"
                    + " conftest.py does: only a path named exactly in target.writable allows it)");
            continue;
          }
        } catch (IOException e) {
          bad.add(p + " (unreadable: " + e.getMessage() + ")");
          continue;
        }
      }
      if (Files.isSymbolicLink(file)) {
        // followed to the end (a chain of links can climb out one step at a time); a link to
        // nothing is refused, it could point anywhere once checked out elsewhere
        try {
          Path target = file.toRealPath();
          Path realRoot = root.toRealPath();
          if (!target.startsWith(realRoot) || target.startsWith(realRoot.resolve(".git"))) {
            bad.add(p + " (symlink to " + target + ", outside the clone)");
          }
        } catch (IOException e) {
          bad.add(p + " (symlink to nothing in the clone)");
        }
      }
    }
    return bad;
  }
}
