package dev.etask.core.gates;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test ids as a person runs them again: pytest's node id ({@code tests/test_x.py::TestC::test_y})
 * or unittest's ({@code tests.test_x.TestC.test_y}). The reports hold JUnit's form ({@code
 * tests.test_x.TestC::test_y}, the class name and the test's name), which etask compares across
 * measurements; this is only how a test is named to people and generators.
 */
public final class TestIds {
  private TestIds() {}

  /** {@code id} (JUnit's form) as {@code runner} names it; the repository root makes the path. */
  public static String display(String id, GateSetup.Runner runner, Path repo) {
    int sep = id.indexOf("::");
    if (sep < 0) {
      // a module that could not be collected: its file, when there is one
      String file = id.replace('.', '/') + ".py";
      return runner == GateSetup.Runner.PYTEST
              && repo != null
              && !id.contains("/")
              && Files.isRegularFile(repo.resolve(file))
          ? file
          : id;
    }
    String classname = id.substring(0, sep);
    String name = id.substring(sep + 2);
    if (runner == GateSetup.Runner.UNITTEST) {
      return classname + "." + name;
    }
    String[] parts = classname.split("\\.");
    for (int k = parts.length; k > 0; k--) {
      String file = String.join("/", java.util.Arrays.copyOfRange(parts, 0, k)) + ".py";
      if (repo != null && Files.isRegularFile(repo.resolve(file))) {
        StringBuilder b = new StringBuilder(file);
        for (int i = k; i < parts.length; i++) {
          b.append("::").append(parts[i]);
        }
        return b.append("::").append(name).toString();
      }
    }
    return id;
  }
}
