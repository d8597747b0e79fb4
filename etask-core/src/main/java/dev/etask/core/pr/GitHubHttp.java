package dev.etask.core.pr;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.kohsuke.github.connector.GitHubConnector;
import org.kohsuke.github.connector.GitHubConnectorRequest;
import org.kohsuke.github.connector.GitHubConnectorResponse;

/**
 * The HTTP client under hub4j: the JDK's, never following a redirect by itself (the library does,
 * and drops the token when the host changes), with a time limit on every request within the task's
 * time budget, and the headers of the last answer kept for {@code Retry-After} and the rate limits
 * (the library's exceptions drop them).
 */
final class GitHubHttp implements GitHubConnector {
  private static final Set<String> RESTRICTED =
      Set.of("connection", "content-length", "expect", "host", "upgrade");
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final Supplier<Duration> budget;
  private volatile Map<String, List<String>> lastHeaders = Map.of();

  GitHubHttp(Supplier<Duration> budget) {
    this.budget = budget;
  }

  Map<String, List<String>> lastHeaders() {
    return lastHeaders;
  }

  @Override
  public GitHubConnectorResponse send(GitHubConnectorRequest request) throws IOException {
    Duration left = budget.get();
    Duration limit =
        left.compareTo(Duration.ofSeconds(60)) > 0
            ? Duration.ofSeconds(60)
            : left.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5) : left;
    HttpRequest.Builder b;
    try {
      b = HttpRequest.newBuilder(request.url().toURI()).timeout(limit);
    } catch (URISyntaxException e) {
      throw new IOException("bad URL " + request.url(), e);
    }
    request
        .allHeaders()
        .forEach(
            (name, values) -> {
              if (name != null && !RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
              }
            });
    HttpRequest.BodyPublisher body =
        request.hasBody()
            ? HttpRequest.BodyPublishers.ofByteArray(request.body().readAllBytes())
            : HttpRequest.BodyPublishers.noBody();
    b.method(request.method(), body);
    HttpResponse<byte[]> response;
    try {
      response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    Map<String, List<String>> headers = response.headers().map();
    lastHeaders = headers;
    byte[] bytes = response.body();
    return new GitHubConnectorResponse(request, response.statusCode(), headers) {
      @Override
      public InputStream bodyStream() throws IOException {
        return wrapStream(new ByteArrayInputStream(bytes));
      }

      @Override
      public void close() {}
    };
  }
}
