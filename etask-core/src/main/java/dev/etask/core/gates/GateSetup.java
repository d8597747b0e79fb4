package dev.etask.core.gates;

import dev.etask.core.spec.TaskSpec;
import dev.etask.core.workspace.Project;
import java.util.List;

/**
 * How the gates run on one repository, decided once in PREPARE from the spec and the repository
 * (and kept in the run state): the test runner the project uses with its extra arguments, the file
 * pytest reads its configuration from (every pytest run uses it and the repository root, so test
 * ids never depend on which files are named), the ruff rules to gate on (null: the project's own),
 * whether ruff must ignore every configuration file (the repository has none of its own: a file
 * above the clone must not decide what the lint gate means), and what mypy checks (the files of the
 * project's mypy configuration; null: the source folders), or why the type gate is off ({@code
 * typesOff}: the project checks types with another tool and configures no mypy), and how many
 * pytest-xdist workers run the whole suite ({@code workers}: 0 in the test process, -1 one per
 * core), and how long one test may run ({@code testTimeout} seconds, 0 without a limit: then it
 * fails, and the suite goes on).
 */
public record GateSetup(
    Runner runner,
    List<String> runnerArgs,
    String pytestConfig,
    List<String> lintSelect,
    boolean ruffIsolated,
    List<String> typeTargets,
    String typesOff,
    int workers,
    int testTimeout) {
  /** The rules every Python project treats as errors: syntax errors and undefined names. */
  public static final List<String> ERRORS_EVERYWHERE = List.of("E9", "F63", "F7", "F82");

  public enum Runner {
    PYTEST,
    UNITTEST;

    public String display() {
      return this == PYTEST ? "pytest" : "unittest";
    }
  }

  public GateSetup {
    runner = runner == null ? Runner.PYTEST : runner;
    runnerArgs = runnerArgs == null ? List.of() : List.copyOf(runnerArgs);
    lintSelect = lintSelect == null ? null : List.copyOf(lintSelect);
    typeTargets = typeTargets == null ? null : List.copyOf(typeTargets);
  }

  public GateSetup(
      Runner runner,
      List<String> runnerArgs,
      String pytestConfig,
      List<String> lintSelect,
      boolean ruffIsolated) {
    this(runner, runnerArgs, pytestConfig, lintSelect, ruffIsolated, null, null, 0, 0);
  }

  /** The same, the whole suite run in the test process. */
  public GateSetup(
      Runner runner,
      List<String> runnerArgs,
      String pytestConfig,
      List<String> lintSelect,
      boolean ruffIsolated,
      List<String> typeTargets,
      String typesOff) {
    this(runner, runnerArgs, pytestConfig, lintSelect, ruffIsolated, typeTargets, typesOff, 0, 0);
  }

  /**
   * This setup with {@code base}'s type gate and workers: what a batch's tree says never switches
   * its own type gate off or changes how the suite is run.
   */
  public GateSetup keeping(GateSetup base) {
    return new GateSetup(
        runner,
        runnerArgs,
        pytestConfig,
        lintSelect,
        ruffIsolated,
        typeTargets,
        base.typesOff(),
        runner == base.runner() ? base.workers() : 0,
        testTimeout);
  }

  /** pytest-xdist's {@code -n} value for the whole suite, or null when it runs in one process. */
  public String xdistWorkers() {
    return runner != Runner.PYTEST || workers == 0
        ? null
        : workers < 0 ? "auto" : Integer.toString(workers);
  }

  /** What mypy checks: the project's configured files, else {@code source}. */
  public List<String> typeTargets(List<String> source) {
    return typeTargets != null ? typeTargets : source;
  }

  /**
   * pytest with the repository's own configuration and ruff rules: what etask did before it
   * detected anything.
   */
  public static GateSetup defaults() {
    return new GateSetup(Runner.PYTEST, List.of(), null, null, false);
  }

  /**
   * The spec's choices where it makes them, else what the repository shows: its test runner and
   * pytest configuration; the lint rules are the repository's own when it configures ruff, else
   * only {@link #ERRORS_EVERYWHERE} (a project linted with other tools never fails on ruff's
   * defaults).
   */
  public static GateSetup of(TaskSpec.QualityGates gates, Project project) {
    Runner runner =
        switch (gates.tests().runner()) {
          case PYTEST -> Runner.PYTEST;
          case UNITTEST -> Runner.UNITTEST;
          case AUTO -> "unittest".equals(project.runner()) ? Runner.UNITTEST : Runner.PYTEST;
        };
    List<String> select =
        gates.lint().select() != null
            ? gates.lint().select()
            : project.ruffConfigured() ? null : ERRORS_EVERYWHERE;
    return new GateSetup(
        runner,
        gates.tests().args(),
        project.pytestConfig(),
        select,
        !project.ruffConfigured(),
        project.mypyFiles(),
        project.typeChecker() == null
            ? null
            : "the project checks types with "
                + project.typeChecker()
                + " and configures no mypy; etask reads mypy's findings only (a [tool.mypy]"
                + " table turns the gate on)",
        workers(gates.tests().parallel(), project, runner),
        (int) gates.testTimeout().toSeconds());
  }

  private static int workers(String parallel, Project project, Runner runner) {
    if (runner != Runner.PYTEST) {
      return 0; // unittest runs in one process
    }
    return switch (parallel == null ? "project" : parallel) {
      case "off" -> 0;
      case "auto" -> -1;
      case "project" -> project.usesXdist() ? -1 : 0;
      default -> Integer.parseInt(parallel);
    };
  }

  /** One line for the log: which runner and why, and which lint rules. */
  public String describe(TaskSpec.QualityGates gates, Project project) {
    String why =
        gates.tests().runner() != TaskSpec.Runner.AUTO
            ? "quality_gates.tests.runner"
            : project.runnerReason();
    String tests =
        runner.display()
            + (runnerArgs.isEmpty() ? "" : " " + String.join(" ", runnerArgs))
            + " ("
            + why
            + (runner == Runner.PYTEST
                ? "; configuration " + (pytestConfig == null ? "none" : pytestConfig)
                : "")
            + ")";
    String lint =
        gates.lint().select() != null
            ? "ruff --select " + String.join(",", lintSelect) + " (quality_gates.lint.select)"
            : lintSelect == null
                ? "ruff with the repository's settings"
                : "ruff --select "
                    + String.join(",", lintSelect)
                    + " (the repository does not configure ruff: only"
                    + " syntax errors and undefined names count)";
    String types =
        typesOff != null
            ? "off (" + typesOff + ")"
            : typeTargets == null
                ? "mypy on the source folders"
                : "mypy on " + String.join(" ", typeTargets) + " (the project's mypy files)";
    String parallel =
        xdistWorkers() == null
            ? ""
            : "; the whole suite in pytest-xdist workers (-n "
                + xdistWorkers()
                + ", "
                + ("project".equals(gates.tests().parallel())
                    ? "as the project runs it"
                    : "quality_gates.tests.parallel")
                + "), measured by pytest-cov";
    return "tests: " + tests + parallel + "; lint: " + lint + "; types: " + types;
  }
}
