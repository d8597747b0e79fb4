package dev.etask.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RedactorTest {
  private static final String SECRET = "c4n4ry/url+tok=en";

  @Test
  void redactsPlainUrlEncodedAndBase64FormsAtEveryAlignment() {
    Redactor r = Redactor.none().add(SECRET);
    assertThat(r.redact("token " + SECRET + " here")).isEqualTo("token **** here");
    assertThat(r.redact("url x:" + URLEncoder.encode(SECRET, StandardCharsets.UTF_8) + "@h"))
        .doesNotContain("c4n4ry");
    for (String prefix : new String[] {"", "u:", "us:", "use:"}) {
      String basic =
          Base64.getEncoder().encodeToString((prefix + SECRET).getBytes(StandardCharsets.UTF_8));
      String urlSafe =
          Base64.getUrlEncoder().encodeToString((prefix + SECRET).getBytes(StandardCharsets.UTF_8));
      String middle =
          Base64.getEncoder()
              .encodeToString(SECRET.getBytes(StandardCharsets.UTF_8))
              .substring(2, 18);
      assertThat(r.redact("Authorization: Basic " + basic))
          .as(prefix)
          .contains("****")
          .doesNotContain(middle);
      assertThat(r.redact(urlSafe)).as(prefix).contains("****");
    }
    String hex = java.util.HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(r.redact("H = '" + hex + "'")).isEqualTo("H = '****'");
    assertThat(r.redact(hex.toUpperCase(java.util.Locale.ROOT))).isEqualTo("****");
    assertThat(r.redact(new StringBuilder(SECRET).reverse().toString())).isEqualTo("****");
    assertThat(r.appearsIn("x " + hex + " y")).isTrue();
  }

  @Test
  void onlySecretsOfEightCharactersOrMoreAreSearchedForInWhatIsCommitted() {
    Redactor r = Redactor.none().add("test").add(SECRET);
    assertThat(r.redact("a test")).isEqualTo("a ****"); // redacted where it leaves etask
    assertThat(r.appearsIn("def test_x(): pass")).isFalse(); // too common to search for
    assertThat(r.appearsIn("token = '" + SECRET + "'")).isTrue();
  }

  @Test
  void variablesNamedLikeSecretsCountOnlyWhenTheirValueLooksSecret() {
    Redactor r =
        Redactor.none()
            .addByName("false")
            .addByName("12345678")
            .addByName("short")
            .addByName("3.14159265");
    assertThat(r.isEmpty()).isTrue();
    assertThat(r.redact("false 12345678")).isEqualTo("false 12345678");
    r.addByName("wJalrXUtnFEMI/K7MDENG");
    assertThat(r.redact("aws wJalrXUtnFEMI/K7MDENG")).isEqualTo("aws ****");
  }

  @Test
  void jsonIsRedactedPerStringValueAndStaysValid() throws Exception {
    Redactor r = Redactor.none().add("se\"cr\\et-value");
    ObjectMapper json = new ObjectMapper();
    JsonNode tree =
        json.readTree(
            "{\"a\": \"x se\\\"cr\\\\et-value y\", \"n\": 3, \"l\": [\"se\\\"cr\\\\et-value\"]}");
    JsonNode out = r.redact(tree);
    String text = json.writeValueAsString(out);
    assertThat(json.readTree(text).get("a").asText()).isEqualTo("x **** y");
    assertThat(out.get("l").get(0).asText()).isEqualTo("****");
    assertThat(out.get("n").asInt()).isEqualTo(3);
    assertThat(text).doesNotContain("cr\\\\et");
  }

  @Test
  void scrubbedExceptionsKeepTheirStackButNotTheSecret() {
    Redactor r = Redactor.none().add("hunter2-token");
    RuntimeException e =
        new IllegalStateException(
            "push to https://x:hunter2-token@h failed",
            new java.io.IOException("auth hunter2-token"));
    Throwable s = r.scrub(e);
    assertThat(s.getMessage())
        .contains("IllegalStateException")
        .contains("****")
        .doesNotContain("hunter2");
    assertThat(s.getCause().getMessage()).doesNotContain("hunter2");
    assertThat(s.getStackTrace()).isEqualTo(e.getStackTrace());
  }
}
