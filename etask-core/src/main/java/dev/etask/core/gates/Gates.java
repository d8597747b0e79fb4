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
}
