package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RunnerConfigTest {
  @Test
  void aModuleThatReachesIntoPytestsMachineryIsTold() {
    assertThat(RunnerConfig.patchesTheRunner("import _pytest.reports as r\n")).isTrue();
    assertThat(RunnerConfig.patchesTheRunner("from _pytest.monkeypatch import MonkeyPatch\n"))
        .isTrue();
    assertThat(RunnerConfig.patchesTheRunner("pytest.TestReport.from_item_and_call = f\n"))
        .isTrue();
    assertThat(RunnerConfig.patchesTheRunner("setattr(pytest, 'fail', f)\n")).isTrue();
    assertThat(RunnerConfig.patchesTheRunner("sys.modules['coverage'] = fake\n")).isTrue();
    // a test's own use of pytest's public names is not
    assertThat(
            RunnerConfig.patchesTheRunner(
                "import pytest\n\n\ndef test_x(monkeypatch: pytest.MonkeyPatch) -> None:\n"
                    + "    assert pytest.approx(1.0) == 1.0\n    x = pytest.raises\n"))
        .isFalse();
    assertThat(RunnerConfig.patchesTheRunner("if pytest.__version__ == '8': pass\n")).isFalse();
    assertThat(RunnerConfig.patchesTheRunner("def f(mp: pytest.MonkeyPatch = None) -> None:\n"))
        .isFalse();
    assertThat(RunnerConfig.patchesTheRunner("    pytest.fail = lambda *a: None\n")).isTrue();
  }

  @Test
  void aModuleNamedLikeAGateModuleOnTheTestsPathShadowsIt() {
    assertThat(RunnerConfig.shadows("tools/coverage.py", "tools")).isEqualTo("coverage");
    assertThat(RunnerConfig.shadows("pytest/__init__.py", "")).isEqualTo("pytest");
    assertThat(RunnerConfig.shadows("src/_pytest/reports.py", "src")).isEqualTo("_pytest");
    assertThat(RunnerConfig.shadows("tests/test_coverage.py", "")).isNull();
    assertThat(RunnerConfig.shadows("src/app/coverage.py", "src")).isNull(); // inside a package
    assertThat(RunnerConfig.shadows("tools/coverage.py", "")).isNull();
  }
}
