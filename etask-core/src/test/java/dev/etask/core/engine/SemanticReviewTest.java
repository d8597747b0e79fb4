package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.RunState;
import java.util.List;
import org.junit.jupiter.api.Test;

class SemanticReviewTest {
  private static final TaskSpec.Llm LLM =
      new TaskSpec.Llm("http://localhost/v1", "m", "KEY", 500, 0);

  @Test
  void aRatingIsReadFromTheRepliesJsonBareOrFenced() {
    assertThat(
            SemanticReview.parse(
                LLM, "abc", "{\"risk\": \"High\", \"reasons\": [\"drops a check\"]}"))
        .isEqualTo(new RunState.Review("abc", "m", "high", List.of("drops a check"), null));
    assertThat(
            SemanticReview.parse(
                LLM,
                "abc",
                "Here:\n```json\n{\"risk\": \"low\", \"reasons\": []}\n```\nThat is all."))
        .isEqualTo(new RunState.Review("abc", "m", "low", List.of(), null));
  }

  @Test
  void aReplyWithoutAUsableRatingIsAnErrorNeverARating() {
    for (String reply :
        List.of("looks fine to me", "{\"risk\": \"none\"}", "{\"risk\": \"low\"", "{risk: high}")) {
      RunState.Review r = SemanticReview.parse(LLM, "abc", reply);
      assertThat(r.risk()).as(reply).isNull();
      assertThat(r.error()).as(reply).startsWith("the reply");
    }
  }
}
