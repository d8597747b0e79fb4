package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.spec.TaskSpec.BatchMode;
import dev.etask.core.state.BatchState;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzePhaseTest {
  private static final List<String> FILES =
      List.of("src/a/x.py", "src/a/y.py", "src/b/z.py", "top.py");

  @Test
  void singleFilePerDirectoryAndAll() {
    assertThat(AnalyzePhase.plan(FILES, BatchMode.SINGLE_FILE))
        .extracting(BatchState::files)
        .containsExactly(
            List.of("src/a/x.py"), List.of("src/a/y.py"), List.of("src/b/z.py"), List.of("top.py"));
    assertThat(AnalyzePhase.plan(FILES, BatchMode.PER_DIRECTORY))
        .extracting(BatchState::files)
        .containsExactly(
            List.of("top.py"), List.of("src/a/x.py", "src/a/y.py"), List.of("src/b/z.py"));
    List<BatchState> all = AnalyzePhase.plan(FILES, BatchMode.ALL);
    assertThat(all).hasSize(1);
    assertThat(all.get(0).files()).isEqualTo(FILES);
    assertThat(all.get(0).index()).isZero();
  }
}
