package dev.etask.core.workspace;

import dev.etask.core.spec.SpecLoader;
import java.util.List;
import java.util.Map;

/**
 * What the repository says about itself: install arguments, source package folders, test folders,
 * whether it has any test file, how it runs its tests (and why etask thinks so), the file pytest
 * reads its configuration from, the tool versions to install (with where each came from), whether
 * it configures ruff, the files that declare its test dependencies, and a digest of everything the
 * install reads ({@code installInputs}: the environment is built again when it changes).
 */
public record Project(
    List<String> install,
    List<String> source,
    List<String> tests,
    boolean hasTests,
    String runner,
    String runnerReason,
    String pytestConfig,
    Map<String, String> tools,
    Map<String, String> toolSources,
    boolean ruffConfigured,
    List<String> dependencyFiles,
    List<String> mypyFiles,
    String lockFile,
    Map<String, String> locked,
    String installInputs) {
  public Project {
    locked = locked == null ? Map.of() : Map.copyOf(locked);
  }

  public Project(List<String> install, List<String> source, List<String> tests) {
    this(
        install,
        source,
        tests,
        true,
        "pytest",
        "",
        null,
        SpecLoader.DEFAULT_TOOLS,
        Map.of(),
        true,
        List.of(),
        null,
        null,
        Map.of(),
        "");
  }
}
