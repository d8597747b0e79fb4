package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * pr.address_reviews with the local provider: comments written beside the PR record become the
 * objective of a new batch on the next run, which is judged, committed and pushed like any other;
 * the PR body answers each comment with its commit; a run with no new comment adds nothing.
 */
class ReviewCommentsIT extends MavenProcesses {
  private static final String GENERATOR =
      """
      import os
      objective = os.environ["ETASK_OBJECTIVE"]
      path = "tests/test_payment_review.py"
      if "address these comments" not in objective:
          open(path, "w", encoding="utf-8").write(
              "from src.service.payment import calculate_fee\\n\\n\\n"
              "def test_card_fee() -> None:\\n"
              "    assert calculate_fee(100) == 3.2\\n")
      else:
          asked = [line for line in objective.splitlines() if line.startswith("- ")]
          text = open(path, encoding="utf-8").read()
          text = "import pytest\\n\\nfrom src.service.payment import PaymentError\\n" + text
          with open(path, "w", encoding="utf-8") as f:
              f.write(text + "\\n\\n" + "".join("# asked: " + a[2:] + "\\n" for a in asked))
              f.write("def test_negative_amount_is_refused() -> None:\\n"
                      "    with pytest.raises(PaymentError):\\n"
                      "        calculate_fee(-1)\\n")
      """;

  @Test
  void commentsBesideThePrRecordAreAddressedByANewBatchAndAnswered() throws Exception {
    Files.writeString(dir.resolve("review.py"), GENERATOR);
    Files.writeString(
        dir.resolve("task.yaml"),
        "id: reviewed\nobjective: \"Add unit tests for the payment module\"\n"
            + "repository: { url: origin.git }\n"
            + "target: { include: [\"src/service/payment.py\"], writable: [\"tests/**\"] }\n"
            + "generator: { command: \"python {spec_dir}/review.py\" }\n"
            + "pr: { provider: local, address_reviews: true }\n");
    Path artifacts = dir.resolve("target/etask/artifacts/reviewed");
    Path first = dir.resolve("first.log");
    assertThat(mavenToTheEnd("run", first, Map.of())).as(read(first)).isZero();
    assertThat(commits()).isEqualTo(1);

    Files.writeString(
        artifacts.resolve("comments.md"),
        "file: src/service/payment.py\nPlease also test that a negative amount is refused.\n"
            + "---\nNice work; keep the names short.\n");
    Path second = dir.resolve("second.log");
    assertThat(mavenToTheEnd("run", second, Map.of())).as(read(second)).isZero();
    assertThat(read(second)).contains("2 new review comment(s) → batch 2: src/service/payment.py");
    assertThat(commits()).isEqualTo(2);
    String test =
        git(dir.resolve("origin.git"), "show", "auto/reviewed:tests/test_payment_review.py");
    assertThat(test)
        .contains("# asked: reviewer on src/service/payment.py: Please also test that a negative")
        .contains("# asked: reviewer: Nice work; keep the names short.")
        .contains("def test_negative_amount_is_refused");
    String sha = git(dir.resolve("origin.git"), "rev-parse", "--short=7", "auto/reviewed");
    String body = Files.readString(artifacts.resolve("pr.md"));
    assertThat(body)
        .contains("**Review comments:**")
        .contains(
            "- reviewer on `src/service/payment.py`: “Please also test that a negative amount is"
                + " refused.” — addressed in "
                + sha)
        .contains("- reviewer: “Nice work; keep the names short.” — addressed in " + sha);
    JsonNode status = Json.MAPPER.readTree(artifacts.resolve("status.json").toFile());
    assertThat(status.path("batches").size()).isEqualTo(2);
    assertThat(status.path("exit_code").asInt()).isZero();

    Path third = dir.resolve("third.log");
    assertThat(mavenToTheEnd("run", third, Map.of())).as(read(third)).isZero();
    assertThat(read(third)).doesNotContain("new review comment");
    assertThat(commits()).as("no new comment, no new batch").isEqualTo(2);
  }

  private int commits() throws Exception {
    return Integer.parseInt(
        git(dir.resolve("origin.git"), "rev-list", "--count", "main..auto/reviewed"));
  }
}
