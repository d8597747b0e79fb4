package dev.etask.core.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.json.Json;
import dev.etask.core.process.ProcessRunner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions a package index serves, read through its simple API (PEP 691's JSON, or PEP 503's
 * page of links): the indexes pip and uv are configured with for this task ({@code index-url} and
 * {@code extra-index-url} of pip's settings, {@code PIP_*} or {@code UV_*} variables), else PyPI;
 * the newest of what they all serve. Only final releases that are not yanked count (no pre-, post-
 * or development releases).
 */
public final class PackageIndex {
  static final String PYPI = "https://pypi.org/simple";
  private static final Pattern FINAL = Pattern.compile("\\d+(\\.\\d+)*");
  private static final Pattern LINK =
      Pattern.compile("<a\\s([^>]*)>([^<]+)</a>", Pattern.CASE_INSENSITIVE);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final List<String> urls;
  private final HttpClient http;

  /** The indexes at {@code urls} (the first is the main one). */
  public PackageIndex(String... urls) {
    this.urls =
        java.util.Arrays.stream(urls)
            .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u)
            .toList();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The indexes this task installs from (see the class comment). */
  public static PackageIndex configured(
      ProcessRunner runner, Map<String, String> installEnv, Path dir, String interpreter) {
    Map<String, String> pip = PipSettings.read(runner, installEnv, dir, interpreter);
    String main = pip.getOrDefault("index-url", installEnv.getOrDefault("UV_INDEX_URL", ""));
    String extra =
        pip.getOrDefault("extra-index-url", installEnv.getOrDefault("UV_EXTRA_INDEX_URL", ""));
    List<String> all = new ArrayList<>();
    all.add(main.isBlank() ? PYPI : main.strip());
    for (String u : extra.strip().split("\\s+")) {
      if (!u.isBlank()) {
        all.add(u);
      }
    }
    return new PackageIndex(all.toArray(String[]::new));
  }

  /** The indexes' addresses (they may hold credentials: print them through the redactor). */
  public String url() {
    return String.join(" ", urls);
  }

  /**
   * The newest final release of {@code name} the first index that serves it has (the main one, then
   * the extras in order: a package of the main index is never "upgraded" to a look-alike an extra
   * index serves); empty when none serves it.
   */
  public Optional<String> newest(String name) throws IOException {
    for (String url : urls) {
      List<String> versions = versions(url, DependencyPins.normalize(name));
      if (!versions.isEmpty()) {
        return versions.stream()
            .max(Comparator.comparing(PackageIndex::parts, PackageIndex::compare));
      }
    }
    return Optional.empty();
  }

  private List<String> versions(String url, String key) throws IOException {
    URI uri = URI.create(url + "/" + key + "/");
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Accept", "application/vnd.pypi.simple.v1+json, text/html;q=0.2, */*;q=0.1");
    if (uri.getRawUserInfo() != null) {
      // credentials in the URL, as pip and uv take them: sent as HTTP basic auth
      String user = java.net.URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8);
      request
          .uri(
              URI.create(
                  uri.getScheme()
                      + "://"
                      + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1)
                      + uri.getRawPath()))
          .header(
              "Authorization",
              "Basic "
                  + java.util.Base64.getEncoder()
                      .encodeToString(user.getBytes(StandardCharsets.UTF_8)));
    }
    Page page = fetch(request.GET().build());
    if (page.status() == 404) {
      return List.of();
    }
    if (page.status() / 100 != 2) {
      throw new IOException("the package index answered HTTP " + page.status());
    }
    return page.type().contains("json") ? fromJson(page.body(), key) : fromPage(page.body(), key);
  }

  private record Page(int status, String type, String body) {}

  /** The whole answer within {@link #ANSWER} and at most {@link #MAX_BYTES}, else an error. */
  private Page fetch(HttpRequest request) throws IOException {
    var answer =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
            .thenApply(
                r -> {
                  try (var in = r.body()) {
                    byte[] body = in.readNBytes(MAX_BYTES + 1);
                    if (body.length > MAX_BYTES) {
                      throw new java.io.UncheckedIOException(
                          new IOException("the package index's page is larger than 32 MB"));
                    }
                    return new Page(
                        r.statusCode(),
                        r.headers().firstValue("Content-Type").orElse(""),
                        new String(body, StandardCharsets.UTF_8));
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
    try {
      return answer.get(ANSWER.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      answer.cancel(true);
      throw new IOException("the package index did not answer within " + ANSWER.toSeconds() + "s");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause();
      throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while asking the package index", e);
    }
  }

  private static final Duration ANSWER = Duration.ofSeconds(60);
  private static final int MAX_BYTES = 32 * 1024 * 1024;

  private static List<String> fromJson(String body, String key) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonNode f : Json.MAPPER.readTree(body).path("files")) {
      JsonNode yanked = f.path("yanked");
      if (!(yanked.isBoolean() && yanked.asBoolean()) && !yanked.isTextual()) {
        version(f.path("filename").asText(), key).ifPresent(out::add);
      }
    }
    return out;
  }

  private static List<String> fromPage(String body, String key) {
    List<String> out = new ArrayList<>();
    Matcher m = LINK.matcher(body);
    while (m.find()) {
      if (!m.group(1).contains("data-yanked")) {
        version(m.group(2).strip(), key).ifPresent(out::add);
      }
    }
    return out;
  }

  /** The final-release version of a wheel's or an sdist's file name for package {@code key}. */
  static Optional<String> version(String filename, String key) {
    String stem;
    if (filename.endsWith(".whl")) {
      String[] parts = filename.split("-");
      if (parts.length < 5 || !DependencyPins.normalize(parts[0]).equals(key)) {
        return Optional.empty();
      }
      stem = parts[1];
    } else {
      String base = filename.replaceFirst("\\.(tar\\.gz|zip|tar\\.bz2)$", "");
      int dash = base.lastIndexOf('-');
      if (base.equals(filename)
          || dash < 0
          || !DependencyPins.normalize(base.substring(0, dash)).equals(key)) {
        return Optional.empty();
      }
      stem = base.substring(dash + 1);
    }
    return FINAL.matcher(stem).matches() ? Optional.of(stem) : Optional.empty();
  }

  private static String[] parts(String version) {
    return version.split("\\.");
  }

  /** PEP 440 for final releases: 1.2 == 1.2.0 &lt; 1.10 (numbers of any length). */
  static int compare(String[] a, String[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? a[i].replaceFirst("^0+(?=.)", "") : "0";
      String y = i < b.length ? b[i].replaceFirst("^0+(?=.)", "") : "0";
      int c = x.length() != y.length() ? Integer.compare(x.length(), y.length()) : x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Whether {@code version} is a final release (numbers and dots only). */
  public static boolean isFinal(String version) {
    return FINAL.matcher(version).matches();
  }

  /** Whether final release {@code a} is newer than {@code b} (false when either is not final). */
  public static boolean newer(String a, String b) {
    return FINAL.matcher(a).matches()
        && FINAL.matcher(b).matches()
        && compare(parts(a), parts(b)) > 0;
  }
}
