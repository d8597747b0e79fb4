package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.GateSetup;
import dev.etask.core.json.Json;
import dev.etask.core.process.ShellQuote;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * etask's own generators ({@code generator.builtin}), each a command line run like a user's {@code
 * generator.command}: in the clone's root, in the generator's sandbox (network off in their types'
 * templates), the venv's {@code bin} first on PATH. The ruff ones run the venv's ruff (the
 * repository's version and settings; no cache written into the clone); {@code crosshair} runs
 * etask's add-tests script from the generator tools' own environment.
 */
final class BuiltinGenerators {
  /**
   * What each add-tests generator's environment installs (Hypothesis itself is the project's: the
   * Ghostwriter writes only where the project already depends on it; it formats with black).
   */
  static final Map<String, List<String>> TOOLS =
      Map.of(
          "crosshair", List.of("crosshair-tool>=0.0.100,<0.1"),
          "hypothesis", List.of("black>=23"),
          "pynguin", List.of("pynguin>=0.40,<1"));

  private static final String RUFF_FIX = "ruff check --fix --no-cache --exit-zero --force-exclude";

  private BuiltinGenerators() {}

  /**
   * The command line of {@code builtin}, with {@code {files}} for the batch's files; what the
   * generator needs to know about the project goes into {@code env}.
   */
  static String command(RunContext c, String builtin, Map<String, String> env) {
    return switch (builtin) {
      case "ruff-fix" -> RUFF_FIX + " -- {files}";
      case "ruff-format" -> "ruff format --no-cache --force-exclude -- {files}";
      case "ruff-modernize" -> RUFF_FIX + " --select UP -- {files}";
      case "logging-normalize" ->
          RUFF_FIX
              + " --select G,LOG -- {files} && python "
              + quoted(c.python().script("logging_normalize.py"))
              + " {files} && ruff check --no-cache --force-exclude --select G,LOG -- {files}";
      case "crosshair", "hypothesis", "pynguin" -> addTests(c, builtin, env);
      default -> throw new IllegalArgumentException("no built-in generator " + builtin);
    };
  }

  private static String addTests(RunContext c, String builtin, Map<String, String> env) {
    if (builtin.equals("pynguin") && !c.sandboxing().on()) {
      throw new EtaskException(
          Code.SANDBOX_UNAVAILABLE,
          "generator.builtin: pynguin runs the repository's code with random inputs, and runs only"
              + " in the sandbox, which is off for this run",
          Hints.sandboxRequired());
    }
    Path python = c.python().generatorTools(TOOLS.get(builtin));
    GateSetup gates = c.state().env().gates();
    env.put("ETASK_RUNNER", gates == null ? "pytest" : gates.runner().display());
    env.put("ETASK_TEST_DIR", testFolder(c.state().env().testDirs()));
    env.put("ETASK_BUDGET", String.valueOf(Math.max(1, c.spec().generator().budget().toSeconds())));
    Path covered = covered(c);
    if (covered != null) {
      env.put("ETASK_COVERED", covered.toString());
    }
    return quoted(python)
        + " "
        + quoted(c.python().script("add_tests.py"))
        + " "
        + builtin
        + " {files}";
  }

  /**
   * The lines the project's tests run in each source file at the tip before the batch, as JSON in
   * the attempt's scratch folder: a generated test is kept only when it runs a line they do not.
   * Null when there is no such measurement.
   */
  private static Path covered(RunContext c) {
    try {
      GateReport current = c.store().readReport("current");
      if (current == null || current.coverage() == null) {
        return null;
      }
      Map<String, List<Integer>> executed = new java.util.TreeMap<>();
      current.coverage().files().forEach((file, fc) -> executed.put(file, fc.executed()));
      Path out = c.ws().scratch().resolve("covered.json");
      Json.MAPPER.writeValue(out.toFile(), executed);
      return out;
    } catch (EtaskException | java.io.IOException e) {
      return null; // the generated tests are then only checked against each other
    }
  }

  /** Where new test files go: the repository's first test folder, else {@code tests}. */
  static String testFolder(List<String> testDirs) {
    return testDirs.stream()
        .map(d -> d.replaceAll("^\\./|/$", ""))
        .filter(d -> !d.isEmpty() && !d.equals("."))
        .findFirst()
        .orElse("tests");
  }

  private static String quoted(Path p) {
    return ShellQuote.quote(p.toString());
  }
}
