package dev.etask.maven;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A package index made in a test: wheels built here (one module each), served on localhost as a
 * folder of links ({@code /}, for {@code --find-links}) and as PEP 503's simple index ({@code
 * /simple/<name>/}).
 */
final class LocalIndex implements AutoCloseable {
  /** File name → wheel. */
  private final Map<String, byte[]> wheels = new LinkedHashMap<>();

  private final HttpServer server;

  LocalIndex() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          byte[] body = page(path);
          exchange
              .getResponseHeaders()
              .add(
                  "Content-Type", path.endsWith(".whl") ? "application/octet-stream" : "text/html");
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    server.start();
  }

  /** The folder of links, for {@code --find-links}. */
  String links() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** The simple index, for {@code PIP_INDEX_URL} / {@code UV_INDEX_URL}. */
  String simple() {
    return links() + "simple/";
  }

  /**
   * Adds {@code dist} at {@code version}: its module ({@code dist} with '_' for '-') holds {@code
   * source}.
   */
  LocalIndex add(String dist, String version, String source) throws Exception {
    wheels.put(fileName(dist, version), wheel(dist, version, source));
    return this;
  }

  private byte[] page(String path) {
    if (path.equals("/") || path.startsWith("/simple/")) {
      String project = path.equals("/") ? null : path.substring(8).replace("/", "");
      StringBuilder page = new StringBuilder("<html><body>\n");
      wheels.keySet().stream()
          .filter(f -> project == null || f.startsWith(project.replace('-', '_') + "-"))
          .forEach(
              f -> page.append("<a href=\"/").append(f).append("\">").append(f).append("</a>\n"));
      return page.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }
    return wheels.get(path.substring(1));
  }

  private static String fileName(String dist, String version) {
    return dist.replace('-', '_') + "-" + version + "-py3-none-any.whl";
  }

  private static byte[] wheel(String dist, String version, String source) throws Exception {
    String module = dist.replace('-', '_');
    String info = module + "-" + version + ".dist-info/";
    Map<String, String> files = new LinkedHashMap<>();
    files.put(module + "/__init__.py", source);
    files.put(module + "/py.typed", "");
    files.put(
        info + "METADATA", "Metadata-Version: 2.1\nName: " + dist + "\nVersion: " + version + "\n");
    files.put(
        info + "WHEEL",
        "Wheel-Version: 1.0\nGenerator: etask-it\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
    StringBuilder record = new StringBuilder();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        zip.putNextEntry(new ZipEntry(f.getKey()));
        zip.write(content);
        zip.closeEntry();
        String hash =
            Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(content));
        record.append(f.getKey()).append(",sha256=").append(hash).append(',');
        record.append(content.length).append('\n');
      }
      record.append(info).append("RECORD,,\n");
      zip.putNextEntry(new ZipEntry(info + "RECORD"));
      zip.write(record.toString().getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
