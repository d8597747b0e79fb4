package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.gates.GateReport;
import dev.etask.core.json.Json;
import dev.etask.core.process.Redactor;
import org.junit.jupiter.api.Test;

class WarmupTest {
  @Test
  void theSampleReportIsWrittenAndReadBackWhole() throws Exception {
    GateReport sample = Warmup.sampleReport();
    assertThat(sample.tests().passedIds()).hasSize(600);
    assertThat(sample.coverage().files()).hasSize(40);
    GateReport back =
        Json.MAPPER.readValue(StateStore.toJson(Redactor.none(), sample), GateReport.class);
    assertThat(back).isEqualTo(sample);
    assertThat(Warmup.json()).isTrue();
  }

  @Test
  void theJsonWarmUpStopsWhenItsRunEnds() {
    Thread.currentThread().interrupt();
    try {
      assertThat(Warmup.json()).isFalse();
    } finally {
      Thread.interrupted();
    }
  }
}
