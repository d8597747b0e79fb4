package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.generate.Generator;
import dev.etask.core.state.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a built-in generator's batches with nothing to change make of a task (see EngineKit). */
class BuiltinOutcomesTest {
  @TempDir Path tmp;
  EngineKit kit;

  @BeforeEach
  void kit() throws Exception {
    kit = new EngineKit(tmp);
    kit.generator = r -> new Generator.Outcome(true, false, 0, "", Duration.ofMillis(1));
  }

  private Outcome run() {
    try (Engine engine = kit.open()) {
      return engine.run();
    }
  }

  private void builtin() throws Exception {
    Files.writeString(
        kit.spec,
        Files.readString(kit.spec)
            .replace(
                "generator: { command: \"not run: the kit's generator stands in\" }",
                "generator: { builtin: ruff-format }"));
  }

  @Test
  void aBuiltInGeneratorWithNothingToChangeIsDoneNotFailed() throws Exception {
    builtin();
    Outcome o = run();
    assertThat(o.exitCode()).as(String.join("\n", kit.said)).isZero();
    assertThat(o.summary()).startsWith("nothing to change: the built-in generator found no work");
    assertThat(kit.work.resolve("artifacts/t/FAILURE.md")).doesNotExist();
    assertThat(kit.branch()).isEmpty(); // nothing pushed, no PR
    assertThat(String.join("\n", kit.said)).contains("the generator found nothing to change");
  }

  @Test
  void aCommandOfTheUsersThatChangesNothingDeliversNothing() throws Exception {
    Outcome o = run();
    assertThat(o.exitCode()).isEqualTo(1);
    assertThat(kit.status().at("/failure/code").asText()).isEqualTo("NOTHING_ACCEPTED");
  }
}
