package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.RunnerConfig;
import dev.etask.core.git.Change;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Trees;
import dev.etask.core.spec.TaskSpec;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a batch's tree changes against HEAD's: the changes, their line statistics, the test files
 * among them, how many test-runner configuration files, and whether it only adds test files.
 */
record BatchShape(
    ObjectId head,
    ObjectId tree,
    List<Change> changes,
    DiffStats diff,
    List<String> testFiles,
    long runnerConfigs,
    boolean onlyNewTests) {
  static BatchShape of(RunContext c, GitRepo git, ObjectId tree) throws GitException {
    ObjectId head = git.headTree();
    List<Change> changes = Trees.changes(git, head, tree);
    long configs = changes.stream().filter(x -> RunnerConfig.isRunnerConfig(x.path())).count();
    List<String> tests =
        changes.stream()
            .filter(x -> x.kind() != Change.Kind.DELETED)
            .map(Change::path)
            .filter(
                p ->
                    p.endsWith(".py")
                        && c.spec().git().testFiles().stream().anyMatch(g -> g.matches(p)))
            .toList();
    boolean onlyNew =
        !changes.isEmpty()
            && configs == 0
            && tests.size() == changes.size()
            && changes.stream().allMatch(x -> x.kind() == Change.Kind.ADDED);
    return new BatchShape(
        head, tree, changes, Trees.diff(git, head, tree), tests, configs, onlyNew);
  }

  /**
   * Why the batch is validated with the whole suite; null when its new tests alone will do: the
   * spec asks for incremental validation, the batch only adds test files (none of them
   * type-checked), and the state before has what the new tests' measurement is added to.
   */
  static String whyFull(RunContext c, GateReport before, BatchShape shape) {
    if (c.spec().qualityGates().validation() != TaskSpec.Validation.INCREMENTAL) {
      return "quality_gates.validation is full";
    }
    if (!shape.onlyNewTests()) {
      return "the batch changes more than new test files";
    }
    if (c.store().coverageData("current") == null || before.coverage() == null) {
      return "no coverage data of the state before it to add the new tests' to";
    }
    if (before.tests().total() == 0) {
      return "no test ran before it";
    }
    if (c.state().env().gates().typesOff() == null
        && typeChecked(
            shape.testFiles(), c.state().env().gates().typeTargets(c.state().env().sourceDirs()))) {
      return "mypy checks the test files"
          + (c.state().env().gates().typeTargets() != null ? " (the project's mypy files)" : "");
    }
    return null;
  }

  /**
   * True when mypy is configured to check one of {@code files} (its targets include the tests):
   * such a batch is validated in full, so its new files are type-checked.
   */
  static boolean typeChecked(List<String> files, List<String> targets) {
    return files.stream()
        .anyMatch(
            f ->
                targets.stream()
                    .map(t -> t.endsWith("/") ? t.substring(0, t.length() - 1) : t)
                    .anyMatch(t -> t.equals(".") || f.equals(t) || f.startsWith(t + "/")));
  }
}
