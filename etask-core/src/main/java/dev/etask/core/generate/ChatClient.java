package dev.etask.core.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An OpenAI-compatible {@code /chat/completions} endpoint, with {@code java.net.http}: one request,
 * retried on 429 and 5xx (three tries, honouring {@code Retry-After} when it fits before the
 * deadline). The key goes in the {@code Authorization} header only; no message this class makes
 * contains it.
 */
public final class ChatClient {
  /** What the endpoint answered: the first choice's text and, when reported, the usage. */
  public record Reply(String content, Generator.Usage usage) {}

  /** The endpoint did not give a usable answer: the message says what and what to do. */
  public static final class ChatException extends IOException {
    ChatException(String message) {
      super(message);
    }
  }

  static final int TRIES = 3;

  private final HttpClient http;
  private final String baseUrl;
  private final String key;
  private final Duration firstBackoff;

  public ChatClient(String baseUrl, String key) {
    this(baseUrl, key, Duration.ofSeconds(2));
  }

  ChatClient(String baseUrl, String key, Duration firstBackoff) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.baseUrl = baseUrl;
    this.key = key;
    this.firstBackoff = firstBackoff;
  }

  /** Asks {@code model} with a system and a user message; gives up at {@code deadline}. */
  public Reply ask(
      String model, String system, String user, int maxTokens, double temperature, Instant deadline)
      throws IOException, InterruptedException {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", model);
    body.put("max_tokens", maxTokens);
    body.put("temperature", temperature);
    body.set(
        "messages",
        Json.MAPPER.valueToTree(
            List.of(
                Map.of("role", "system", "content", system),
                Map.of("role", "user", "content", user))));
    String url = baseUrl + "/chat/completions";
    String last = "";
    for (int attempt = 1; attempt <= TRIES; attempt++) {
      Duration left = Duration.between(Instant.now(), deadline);
      if (left.isNegative() || left.isZero()) {
        throw new ChatException("no time left for " + url + " (the generator's timeout)" + last);
      }
      HttpResponse<String> response;
      try {
        response = http.send(request(url, body, left), HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw new ChatException(url + " did not answer within the generator's timeout");
      } catch (IOException e) {
        throw new ChatException(
            "cannot reach " + url + ": " + e + " (is generator.llm.base_url right?)");
      }
      int status = response.statusCode();
      if (status == 200) {
        return parse(url, response.body());
      }
      if (status != 429 && status < 500) {
        throw new ChatException(refused(url, status, response.body()));
      }
      last = "; the last answer: HTTP " + status + " " + snippet(response.body());
      if (attempt == TRIES) {
        break;
      }
      Duration wait = retryAfter(response).orElse(firstBackoff.multipliedBy(1L << (attempt - 1)));
      if (Instant.now().plus(wait).isAfter(deadline)) {
        throw new ChatException(
            url
                + " asks to wait "
                + wait.toSeconds()
                + "s (HTTP "
                + status
                + "), past the generator's timeout"
                + last);
      }
      Thread.sleep(wait.toMillis());
    }
    throw new ChatException(url + " failed " + TRIES + " times" + last);
  }

  private HttpRequest request(String url, ObjectNode body, Duration timeout) throws IOException {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
        .build();
  }

  private String refused(String url, int status, String body) {
    String hint =
        switch (status) {
          case 401, 403 ->
              "the key was refused: check the variable generator.llm.api_key_env names";
          case 404 -> "no such endpoint or model: check generator.llm.base_url and model";
          default -> "the request was refused";
        };
    return url + " answered HTTP " + status + ": " + hint + " (" + snippet(body) + ")";
  }

  private Reply parse(String url, String text) throws ChatException {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new ChatException(url + " answered with something that is not JSON: " + snippet(text));
    }
    JsonNode content = root.path("choices").path(0).path("message").path("content");
    if (!content.isTextual()) {
      throw new ChatException(
          url + " answered without choices[0].message.content: " + snippet(text));
    }
    JsonNode usage = root.path("usage");
    Generator.Usage u =
        usage.isObject()
            ? new Generator.Usage(
                usage.path("prompt_tokens").asLong(),
                usage.path("completion_tokens").asLong(),
                usage.path("cost").isNumber() ? usage.path("cost").asDouble() : null)
            : null;
    return new Reply(content.asText(), u);
  }

  private static java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response
        .headers()
        .firstValue("Retry-After")
        .filter(v -> v.strip().matches("\\d{1,6}"))
        .map(v -> Duration.ofSeconds(Long.parseLong(v.strip())));
  }

  /** The start of an answer, the key masked (an endpoint may quote the key it refused). */
  private String snippet(String body) {
    String s = body == null ? "" : body.replaceAll("\\s+", " ").strip();
    if (!key.isEmpty()) {
      s = s.replace(key, "****");
    }
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }
}
