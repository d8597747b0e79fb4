package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The newest final release an index serves, from its JSON or its page of links. */
class PackageIndexTest {
  private HttpServer server;
  private final List<String> asked = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/simple/",
        x -> {
          String path = x.getRequestURI().getPath();
          asked.add(path + " " + x.getRequestHeaders().getFirst("Accept"));
          String body = null;
          String type = "text/html";
          if (path.equals("/simple/zope-interface/")) {
            type = "application/vnd.pypi.simple.v1+json";
            body =
                "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"zope-interface\",\"files\":["
                    + "{\"filename\":\"zope.interface-6.1.tar.gz\",\"yanked\":false},"
                    + "{\"filename\":\"zope.interface-6.4-cp311-cp311-manylinux.whl\"},"
                    + "{\"filename\":\"zope.interface-7.0-py3-none-any.whl\",\"yanked\":\"broken\"},"
                    + "{\"filename\":\"zope.interface-6.10rc1.tar.gz\"}]}";
          } else if (path.equals("/simple/greet/")) {
            body =
                "<html><body>\n<a href=\"../f/greet-1.9.tar.gz#sha256=1\">greet-1.9.tar.gz</a>\n"
                    + "<a href=\"x\">greet-1.10-py3-none-any.whl</a>\n"
                    + "<a href=\"y\" data-yanked=\"\">greet-2.0-py3-none-any.whl</a>\n"
                    + "<a href=\"z\">greet-3.0.dev1-py3-none-any.whl</a>\n"
                    + "<a href=\"w\">greeter-9.0-py3-none-any.whl</a>\n</body></html>";
          }
          byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", type);
          x.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
          if (body != null) {
            try (OutputStream out = x.getResponseBody()) {
              out.write(bytes);
            }
          }
          x.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private PackageIndex index() {
    return new PackageIndex("http://127.0.0.1:" + server.getAddress().getPort() + "/simple/");
  }

  @Test
  void theJsonApiGivesTheNewestFinalReleaseThatIsNotYanked() throws Exception {
    assertThat(index().newest("Zope.Interface")).contains("6.4");
    assertThat(asked.get(0))
        .startsWith("/simple/zope-interface/ ")
        .contains("application/vnd.pypi.simple.v1+json");
  }

  @Test
  void aPageOfLinksGivesTheSameAndVersionsCompareAsNumbers() throws Exception {
    assertThat(index().newest("greet")).contains("1.10");
  }

  @Test
  void theNewestOfWhatTheMainAndTheExtraIndexesServeCounts() throws Exception {
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    // the extra index serves greet too (here: the same server under another path)
    server.createContext(
        "/extra/",
        x -> {
          byte[] page =
              ("<a href=\"g\">greet-1.12-py3-none-any.whl</a>"
                      + "<a href=\"h\">greeter-1.12-py3-none-any.whl</a>")
                  .getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "text/html");
          x.sendResponseHeaders(200, page.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(page);
          }
          x.close();
        });
    // the main index serves greet: its newest counts, never a look-alike of an extra index
    assertThat(new PackageIndex(base + "/simple", base + "/extra").newest("greet"))
        .contains("1.10");
    // a package only an extra index serves comes from there
    assertThat(new PackageIndex(base + "/simple", base + "/extra").newest("greeter"))
        .contains("1.12");
    assertThat(new PackageIndex(base + "/simple", base + "/extra").url())
        .isEqualTo(base + "/simple " + base + "/extra");
  }

  @Test
  void credentialsInTheIndexUrlAreSentAsBasicAuthNotInThePath() throws Exception {
    List<String> auth = new ArrayList<>();
    server.createContext(
        "/private/",
        x -> {
          auth.add(
              x.getRequestURI().getPath() + " " + x.getRequestHeaders().getFirst("Authorization"));
          byte[] page =
              "<a href=\"p\">secret_pkg-3.1-py3-none-any.whl</a>".getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "text/html");
          x.sendResponseHeaders(200, page.length);
          try (OutputStream out = x.getResponseBody()) {
            out.write(page);
          }
          x.close();
        });
    String url = "http://bob:p%40ss@127.0.0.1:" + server.getAddress().getPort() + "/private";
    assertThat(new PackageIndex(url).newest("secret-pkg")).contains("3.1");
    assertThat(auth)
        .containsExactly(
            "/private/secret-pkg/ Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString("bob:p@ss".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aPackageTheIndexDoesNotServeHasNoNewestRelease() throws Exception {
    assertThat(index().newest("absent")).isEmpty();
  }

  @Test
  void finalReleasesCompareAsPep440Says() {
    assertThat(PackageIndex.newer("1.10", "1.9")).isTrue();
    assertThat(PackageIndex.newer("1.2.0", "1.2")).isFalse();
    assertThat(PackageIndex.newer("2024.10.1", "2024.9.30")).isTrue();
    assertThat(PackageIndex.newer("99999999999999999999.0", "1.0")).isTrue();
    assertThat(PackageIndex.newer("2.0rc1", "1.0")).isFalse();
  }
}
