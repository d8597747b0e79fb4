package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class GateSetupTest {
  @Test
  void aBatchsTreeNeverSwitchesTheTypeGateOffNorChangesTheWorkers() {
    GateSetup base =
        new GateSetup(GateSetup.Runner.PYTEST, List.of(), null, null, false, null, null, 0, 0);
    // the batch added a pyrightconfig.json and pytest-xdist: detected now, the base's kept
    GateSetup now =
        new GateSetup(
            GateSetup.Runner.PYTEST, List.of("-x"), "pytest.ini", null, false, null, "ty", -1, 0);
    GateSetup kept = now.keeping(base);
    assertThat(kept.typesOff()).isNull();
    assertThat(kept.xdistWorkers()).isNull();
    assertThat(kept.runnerArgs()).containsExactly("-x");
    assertThat(kept.pytestConfig()).isEqualTo("pytest.ini");
    // and the other way: a project without mypy keeps its gate off
    assertThat(base.keeping(now).typesOff()).isEqualTo("ty");
    assertThat(base.keeping(now).xdistWorkers()).isEqualTo("auto");
  }
}
