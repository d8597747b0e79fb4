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
   * Whether the batch is validated incrementally: the spec asks for it, the batch only adds test
   * files (none of them type-checked), and the state before has what the new tests' measurement is
   * added to.
   */
  static boolean incremental(RunContext c, GateReport before, BatchShape shape) {
    return c.spec().qualityGates().validation() == TaskSpec.Validation.INCREMENTAL
        && shape.onlyNewTests()
        && c.store().coverageData("current") != null
        && before.coverage() != null
        && before.tests().total() > 0
        && !typeChecked(shape.testFiles(), c.state().gates.typeTargets(c.state().sourceDirs));
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
