package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestIdsTest {
  @TempDir Path repo;

  @Test
  void aTestIsNamedAsItsRunnerNamesIt() throws Exception {
    Files.createDirectories(repo.resolve("tests/unit"));
    Files.writeString(repo.resolve("tests/unit/test_calc.py"), "");
    GateSetup.Runner pytest = GateSetup.Runner.PYTEST;
    assertThat(TestIds.display("tests.unit.test_calc::test_add[1-2]", pytest, repo))
        .isEqualTo("tests/unit/test_calc.py::test_add[1-2]");
    assertThat(TestIds.display("tests.unit.test_calc.TestCalc::test_add", pytest, repo))
        .isEqualTo("tests/unit/test_calc.py::TestCalc::test_add");
    assertThat(
            TestIds.display(
                "tests.unit.test_calc.TestCalc::test_add", GateSetup.Runner.UNITTEST, repo))
        .isEqualTo("tests.unit.test_calc.TestCalc.test_add");
    // no file of that name (a package moved since), or no class name: as the report has it
    assertThat(TestIds.display("gone.test_x::test_y", pytest, repo))
        .isEqualTo("gone.test_x::test_y");
    assertThat(TestIds.display("tests/unit/test_calc.py", pytest, repo))
        .isEqualTo("tests/unit/test_calc.py");
    // a module that could not be collected: its file
    assertThat(TestIds.display("tests.unit.test_calc", pytest, repo))
        .isEqualTo("tests/unit/test_calc.py");
  }
}
