package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.workspace.Project;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselineCheckTest {
  private static GateReport stopped(String problem) {
    return new GateReport(
        TestResults.none(), null, List.of(), List.of(), List.of(problem), Map.of());
  }

  /** A project whose coverage configuration loads {@code plugin}, the repository's {@code file}. */
  private static Project withPlugin(String plugin, String file) {
    return dev.etask.core.workspace.ProjectBuilder.project()
        .source("src")
        .tests("tests")
        .coveragePlugin(plugin, file)
        .build();
  }

  private static final Project PROJECT = new Project(List.of(), List.of("src"), List.of("tests"));

  @Test
  void aSuiteStoppedByWhatANewerPytestRemovesGetsThePinItsCiHas() {
    GateReport r =
        stopped(
            "pytest was interrupted: errors while collecting the tests: E"
                + " pytest.PytestRemovedIn10Warning: the pytest.warns(None) form is deprecated");
    assertThat(BaselineCheck.check(r, PROJECT, GateSetup.defaults(), "main", "pytest"))
        .get()
        .satisfies(f -> assertThat(f.nextStep()).contains("python.tools: {pytest: \"<9\"}"));
  }

  @Test
  void aSuiteThatNeedsASubmoduleEtaskCouldNotFetchNamesIt() {
    GateReport r =
        stopped(
            "pytest was interrupted: errors while collecting the tests: ERROR"
                + " tests/toml-test/test_valid.py - FileNotFoundError");
    assertThat(
            BaselineCheck.check(
                r, PROJECT, GateSetup.defaults(), "main", "pytest", List.of("tests/toml-test")))
        .get()
        .satisfies(
            f ->
                assertThat(f.nextStep())
                    .contains("tests/toml-test, declared in .gitmodules")
                    .contains("\"--ignore=tests/toml-test\""));
  }

  @Test
  void aCoveragePluginIsToldFromATestImport() {
    GateReport r = stopped("coverage could not run: No module named 'coverage_pragmas'");
    Project withPlugin = withPlugin("coverage_pragmas", "tasks/coverage_pragmas.py");
    assertThat(BaselineCheck.whatImports("coverage_pragmas", withPlugin))
        .startsWith("Coverage's configuration loads the plugin 'coverage_pragmas'")
        .contains("the repository's own tasks/coverage_pragmas.py");
    assertThat(BaselineCheck.howToProvide("coverage_pragmas", withPlugin))
        .contains("python.env: [\"PYTHONPATH={repo}/tasks\"]");
    Project dotted = withPlugin("tools.cov.plugin", "ci/tools/cov/plugin.py");
    assertThat(BaselineCheck.howToProvide("tools.cov.plugin", dotted))
        .contains("python.env: [\"PYTHONPATH={repo}/ci\"]");
    assertThat(BaselineCheck.whatImports("requests", withPlugin))
        .isEqualTo("The tests import 'requests', which is not installed.");
    assertThat(BaselineCheck.missingModule(r)).contains("coverage_pragmas");
  }
}
