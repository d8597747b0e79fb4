package dev.etask.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStateTest {
  @TempDir Path tmp;

  /** A state.json as the version before the parts wrote it: every key at the top level. */
  private static final String FLAT =
      """
      {"schemaVersion":1,"taskId":"t","specHash":"h","branch":"auto/t","base":"main",
       "baseSha":"abc","origin":"/o","prepared":true,"analyzed":true,"runs":2,
       "sourceDirs":["src"],"testDirs":["tests"],"toolVersions":{"pytest":"8.3.4"},
       "batches":[],"lastPushedSha":"def","ownCommits":["def"],"provider":"local",
       "prUrl":"file:///pr","prNumber":3,"prLabels":["risky"],"taskLabels":["partial"],
       "reportSums":{"baseline":"s1"},"coverageSums":{"baseline":"s2"},
       "fullCheckedSha":"def","fullReport":"verified","sandbox":"bubblewrap","unknownKey":1}
      """;

  @Test
  void aStateJsonOfTheFlatFormatIsReadIntoItsPartsAndWrittenFlatAgain() throws Exception {
    Path file = tmp.resolve("state.json");
    Files.writeString(file, FLAT);
    RunState s = RunState.read(file);
    assertThat(s.taskId()).isEqualTo("t");
    assertThat(s.runs()).isEqualTo(2);
    assertThat(s.git().base()).isEqualTo("main");
    assertThat(s.git().ownCommits()).containsExactly("def");
    assertThat(s.git().fullCheckedSha()).isEqualTo("def");
    assertThat(s.env().sourceDirs()).containsExactly("src");
    assertThat(s.env().toolVersions()).containsEntry("pytest", "8.3.4");
    assertThat(s.pr().number()).isEqualTo(3);
    assertThat(s.pr().labels()).containsExactly("risky");
    assertThat(s.sums().report("baseline")).isEqualTo("s1");
    assertThat(s.taskLabels()).containsExactly("partial");

    JsonNode written = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(s));
    assertThat(written.path("prNumber").asInt()).isEqualTo(3);
    assertThat(written.path("base").asText()).isEqualTo("main");
    assertThat(written.path("coverageSums").path("baseline").asText()).isEqualTo("s2");
    assertThat(written.has("git")).as("the parts stay inline").isFalse();
    assertThat(written.has("pr")).isFalse();
  }

  @Test
  void aBatchsModelUsageIsSummedOverItsAttemptsWithACostOnlyWhenOneWasReported() {
    BatchState b = new BatchState(1, List.of("a.py"));
    assertThat(b.usage()).isNull();
    b.used(100, 10, null);
    assertThat(b.usage()).isEqualTo(new BatchState.Usage(100, 10, null));
    b.used(50, 5, 0.25);
    b.used(1, 1, null);
    assertThat(b.usage()).isEqualTo(new BatchState.Usage(151, 16, 0.25));
  }

  @Test
  void stateChangesOnlyThroughItsTransitions() {
    RunState s = new RunState();
    s.started("t", "h", "auto/t", "now");
    s.started("other", "h2", "auto/other", "later"); // a second run keeps the first's identity
    assertThat(s.taskId()).isEqualTo("t");
    assertThat(s.startedAt()).isEqualTo("now");
    assertThat(s.runs()).isEqualTo(2);
    assertThat(s.generatorFailed()).isEqualTo(1);
    assertThat(s.generatorFailed()).isEqualTo(2);
    s.abort("gave up");
    s.retryAfterAbort();
    assertThat(s.aborted()).isNull();
    assertThat(s.generatorFailuresInARow()).isZero();

    s.git().halt("someone pushed", List.of("abc by them"));
    assertThat(s.git().halted()).isEqualTo("someone pushed");
    s.git().resume();
    assertThat(s.git().halted()).isNull();
    assertThat(s.git().foreignCommits()).isEmpty();
    s.git().pushed("def", "refs/heads/auto/t");
    assertThat(s.git().lastPushedSha()).isEqualTo("def");
    assertThat(s.git().originTips()).containsEntry("refs/heads/auto/t", "def");
    s.git().verified("batch-2", "def");
    assertThat(s.git().fullReport()).isEqualTo("batch-2");

    s.sums().recordedIn("baseline", "/elsewhere");
    s.sums().written("baseline", "r");
    s.sums().coverageWritten("baseline", null);
    assertThat(s.sums().root("baseline")).as("what the gates write is this clone's").isNull();
    assertThat(s.sums().coverage("baseline")).isNull();

    // what a caller reads cannot change the state behind its back
    assertThatThrownBy(() -> s.taskLabels().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.git().ownCommits().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> s.env().toolVersions().put("x", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
