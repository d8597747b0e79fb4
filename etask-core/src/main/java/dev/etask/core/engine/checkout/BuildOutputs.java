package dev.etask.core.engine.checkout;

import dev.etask.core.engine.Listener;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an editable install built into a checkout (compiled extension modules, generated modules in
 * its source folders, ignored by git), for {@link CheckoutValidator}.
 */
final class BuildOutputs {
  private BuildOutputs() {}

  /**
   * What the working tree has been built into that HEAD's copy lacks: ignored files in the source
   * folders that are compiled extension modules or generated Python files (a version file). Both
   * sides are then measured with the same build state, so an unchanged tree always passes.
   */
  static void copy(GitRepo repo, Path checkout, Path head, List<String> source, Listener out)
      throws GitException, IOException {
    List<String> outputs = of(repo, source);
    for (String p : outputs) {
      Path target = head.resolve(p);
      if (!Files.exists(target)) {
        Files.createDirectories(target.getParent());
        Files.copy(checkout.resolve(p), target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    if (!outputs.isEmpty()) {
      out.info(
          "HEAD is measured with the working tree's build outputs: " + String.join(", ", outputs));
    }
  }

  /**
   * Ignored files in the source folders that a build made: compiled extension modules, generated
   * modules.
   */
  static List<String> of(GitRepo repo, List<String> source) throws GitException {
    List<String> folders =
        source.stream().filter(s -> !s.endsWith(".py")).map(s -> s + "/").toList();
    return repo.ignoredFiles(
        p ->
            folders.stream()
                .anyMatch(
                    f ->
                        p.endsWith("/")
                            ? p.startsWith(f) || f.startsWith(p)
                            : p.startsWith(f) && p.matches(".*\\.(so|pyd|dylib|py)")));
  }
}
