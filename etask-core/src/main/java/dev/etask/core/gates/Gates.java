package dev.etask.core.gates;

import java.time.Duration;
import java.util.List;

/**
 * Measures a working tree: tests under coverage, lint, types. {@link GateRunner} runs the real
 * tools.
 */
public interface Gates {
  /**
   * Measures the tree. {@code label} names the report files and the log ({@code baseline}, {@code
   * batch-3}); {@code source} are the folders coverage and mypy look at.
   */
  GateReport measure(String label, List<String> source, Duration timeout);

  /**
   * The whole suite under coverage, nothing else: lint and type findings are those of {@code
   * unchanged} (a tree whose batches since only added test files already checked).
   */
  GateReport measureSuite(
      String label, List<String> source, GateReport unchanged, Duration timeout);

  /**
   * Measures a batch that only adds test files without the whole suite: {@code newTests} run alone
   * under coverage, their data combined with {@code beforeData} (the coverage data of {@code
   * before}, recorded in the clone at {@code beforeRoot}: its file names are moved to this one),
   * ruff on the new files, mypy's findings those of {@code before} (no source changed). The report
   * stands for the whole tree; the whole suite still runs before anything is pushed. {@code runs}:
   * how often the new tests run in their session (the first is the measurement, the others the
   * flakiness reruns, when the runner can repeat them in one session).
   */
  GateReport measureNewTests(
      String label,
      List<String> source,
      List<String> newTests,
      GateReport before,
      java.nio.file.Path beforeData,
      String beforeRoot,
      int runs,
      Duration timeout);
}
