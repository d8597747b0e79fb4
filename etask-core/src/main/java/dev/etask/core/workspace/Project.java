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
 *
 * <p>Also what the project's own test command says (tox's base environment, else nox): which extras
 * and dependency groups it installs ({@code installNotes} say which were chosen and why), the
 * variables it sets ({@code testEnv}, "{repo}" standing for the clone; {@code testEnvSource}:
 * where), the packages its mypy hook installs beside mypy ({@code typeDependencies}), the type
 * checker it uses instead of mypy ({@code typeChecker}, null when mypy is configured or nothing is:
 * the type gate is off when set), and the plugins its coverage configuration loads, with the
 * repository's own module for each ('' when none); whether it runs its suite in pytest-xdist
 * workers ({@code usesXdist}: {@code -n} in its pytest options, or pytest-xdist in its test
 * dependencies).
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
    String installInputs,
    List<String> installNotes,
    Map<String, String> testEnv,
    String testEnvSource,
    List<String> typeDependencies,
    String typeChecker,
    Map<String, String> coveragePlugins,
    boolean usesXdist) {
  public Project {
    locked = sorted(locked); // in name order: the venv's fingerprint is the same in every process
    installNotes = installNotes == null ? List.of() : List.copyOf(installNotes);
    testEnv = sorted(testEnv);
    typeDependencies = typeDependencies == null ? List.of() : List.copyOf(typeDependencies);
    coveragePlugins = sorted(coveragePlugins);
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(m));
  }

  /** A project whose test command says nothing beyond its install. */
  public Project(
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
    this(
        install,
        source,
        tests,
        hasTests,
        runner,
        runnerReason,
        pytestConfig,
        tools,
        toolSources,
        ruffConfigured,
        dependencyFiles,
        mypyFiles,
        lockFile,
        locked,
        installInputs,
        List.of(),
        Map.of(),
        null,
        List.of(),
        null,
        Map.of(),
        false);
  }

  /** The same project, with {@code extra} tools installed beside the gates' own. */
  public Project withTools(Map<String, String> extra) {
    return withTools(extra, "the parallel suite");
  }

  /** The same, {@code why} said of each tool added (as {@code toolSources} say). */
  public Project withTools(Map<String, String> extra, String why) {
    Map<String, String> all = new java.util.LinkedHashMap<>(tools);
    Map<String, String> sources = new java.util.LinkedHashMap<>(toolSources);
    extra.forEach(
        (k, v) -> {
          all.putIfAbsent(k, v);
          sources.putIfAbsent(k, why);
        });
    return new Project(
        install,
        source,
        tests,
        hasTests,
        runner,
        runnerReason,
        pytestConfig,
        all,
        sources,
        ruffConfigured,
        dependencyFiles,
        mypyFiles,
        lockFile,
        locked,
        installInputs,
        installNotes,
        testEnv,
        testEnvSource,
        typeDependencies,
        typeChecker,
        coveragePlugins,
        usesXdist);
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

  /**
   * What the venv is built from: the interpreter, the install arguments, what the install reads
   * (the detector's digest of it), the tools and the pinned versions.
   */
  public String venvFingerprint(String interpreter, Map<String, String> tools) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      md.update(interpreter.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (String a : install()) {
        md.update(("\0" + a).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      md.update(("\0" + installInputs()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      tools.forEach(
          (k, v) -> md.update(("\0" + k + v).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      typeDependencies()
          .forEach(
              d -> md.update(("\0types:" + d).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      locked()
          .forEach(
              (k, v) ->
                  md.update(
                      ("\0locked:" + k + "==" + v)
                          .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
