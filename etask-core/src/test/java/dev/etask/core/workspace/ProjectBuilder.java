package dev.etask.core.workspace;

import dev.etask.core.spec.SpecLoader;
import java.util.List;
import java.util.Map;

/**
 * A {@link Project} for tests: the defaults of {@code new Project(install, source, tests)} (pytest,
 * etask's tools, nothing pinned), with only what a test is about set by name.
 */
public final class ProjectBuilder {
  private List<String> install = List.of();
  private List<String> source = List.of();
  private List<String> tests = List.of();
  private String runnerReason = "";
  private Map<String, String> coveragePlugins = Map.of();

  public static ProjectBuilder project() {
    return new ProjectBuilder();
  }

  public ProjectBuilder install(String... args) {
    install = List.of(args);
    return this;
  }

  public ProjectBuilder source(String... folders) {
    source = List.of(folders);
    return this;
  }

  public ProjectBuilder tests(String... folders) {
    tests = List.of(folders);
    return this;
  }

  public ProjectBuilder runnerReason(String why) {
    runnerReason = why;
    return this;
  }

  /** The coverage plugin {@code plugin} the project's configuration loads from {@code file}. */
  public ProjectBuilder coveragePlugin(String plugin, String file) {
    coveragePlugins = Map.of(plugin, file);
    return this;
  }

  public Project build() {
    return new Project(
        install,
        source,
        tests,
        true,
        "pytest",
        runnerReason,
        null,
        SpecLoader.DEFAULT_TOOLS,
        Map.of(),
        true,
        List.of(),
        null,
        null,
        Map.of(),
        "",
        List.of(),
        Map.of(),
        null,
        List.of(),
        null,
        coveragePlugins,
        false);
  }
}
