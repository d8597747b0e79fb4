package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Incremental validation and the caches shared between tasks, end to end with real Maven, git and
 * Python: a second task on the same base takes its baseline from the cache, a new test that breaks
 * another only through shared state is caught by the whole suite before the push, and {@code
 * etask:validate} by hand measures an unchanged HEAD once.
 */
class CachesAndDeliveryIT extends MavenProcesses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private void spec(String id) throws IOException {
    Files.writeString(
        dir.resolve("task.yaml"),
        """
        id: %s
        objective: "Add tests for the services"
        repository: { url: "%s" }
        target: { include: ["src/service/order.py", "src/service/payment.py"], writable: ["tests/**"] }
        generator: { command: "python {spec_dir}/behave.py {file}" }
        pr: { provider: local }
        """
            .formatted(id, dir.resolve("origin.git")));
  }

  private JsonNode status(String id) throws IOException {
    return JSON.readTree(dir.resolve("target/etask/artifacts/" + id + "/status.json").toFile());
  }

  private String cache() {
    return "-Detask.cacheDir=" + dir.resolve("cache");
  }

  @Test
  void aSecondTaskOnTheSameBaseTakesItsBaselineFromTheCache() throws Exception {
    behaviours("src/service/order.py: smoke\nsrc/service/payment.py: smoke\n");
    spec("t1");
    Path log1 = dir.resolve("t1.log");
    assertThat(mavenToTheEnd("run", log1, Map.of(), cache())).as(read(log1)).isZero();
    assertThat(read(log1)).contains("measuring the baseline");
    JsonNode first = status("t1");
    assertThat(first.at("/batches/0/validation").asText()).isEqualTo("incremental");

    spec("t2");
    Path log2 = dir.resolve("t2.log");
    assertThat(mavenToTheEnd("run", log2, Map.of(), cache())).as(read(log2)).isZero();
    assertThat(read(log2))
        .contains("baseline from the cache")
        .doesNotContain("measuring the baseline");
    JsonNode second = status("t2");
    assertThat(second.get("coverage_before").asDouble())
        .isEqualTo(first.get("coverage_before").asDouble());
    // the cached coverage data, moved to the second clone, carries the incremental measurement
    assertThat(second.get("coverage_after").asDouble())
        .isEqualTo(first.get("coverage_after").asDouble());
    assertThat(second.at("/batches/1/validation").asText()).isEqualTo("incremental");
    assertThat(read(log2)).contains("the whole suite passes on the tip");
  }

  @Test
  void aTestThatBreaksAnotherThroughSharedStateIsDroppedBeforeThePush() throws Exception {
    behaviours("src/service/order.py: shared-state\nsrc/service/payment.py: smoke\n");
    spec("t");
    Path log = dir.resolve("run.log");
    int exit = mavenToTheEnd("run", log, Map.of(), cache());
    String text = read(log);
    assertThat(exit).as(text).isZero();
    assertThat(text).contains("dropped before the push");
    JsonNode s = status("t");
    // one batch delivered, one taken off: partial, not fatal
    assertThat(s.get("exit_code").asInt()).isEqualTo(2);
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("rollback");
    assertThat(s.at("/batches/0/reason").asText()).contains("the whole suite fails with it");
    assertThat(s.at("/batches/0/labels").toString()).contains("full-suite-failed");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    Path origin = dir.resolve("origin.git");
    String files = git(origin, "ls-tree", "-r", "--name-only", "auto/t");
    assertThat(files).contains("tests/test_payment_etask.py").doesNotContain("test_order_etask");
    assertThat(git(origin, "log", "--format=%s", "main..auto/t").lines()).hasSize(1);
  }

  @Test
  void validateByHandMeasuresAnUnchangedHeadOnce() throws Exception {
    Path checkout = dir.resolve("checkout");
    git(dir, "clone", "-q", dir.resolve("origin.git").toString(), checkout.toString());
    Path changed = checkout.resolve("src/service/payment.py");
    Files.writeString(changed, Files.readString(changed) + "\n\nRETRIES = 3\n");
    String work = "-Detask.workDir=" + dir.resolve("validate-work");
    Path log1 = dir.resolve("validate-1.log");
    assertThat(toTheEnd(mavenIn(checkout, "validate", log1, Map.of(), cache(), work), log1))
        .as(read(log1))
        .isZero();
    assertThat(read(log1)).doesNotContain("from the cache");
    Path log2 = dir.resolve("validate-2.log");
    assertThat(toTheEnd(mavenIn(checkout, "validate", log2, Map.of(), cache(), work), log2))
        .as(read(log2))
        .isZero();
    assertThat(read(log2)).contains("HEAD's measurement from the cache").contains("gates pass");
    // the checkout is what the user left
    assertThat(git(checkout, "status", "--porcelain").lines())
        .containsExactly("M src/service/payment.py");
  }
}
