package dev.etask.core.gates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Readers for the machine output of pytest (JUnit XML), coverage (JSON), ruff (JSON) and mypy
 * (text).
 */
public final class Reports {
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final Pattern MYPY_LINE =
      Pattern.compile(
          "^(.+?):(\\d+)(?::\\d+)?(?::\\d+:\\d+)?: error: (.*?)(?:\\s+\\[([a-z0-9_-]+)])?\\s*$");
  private static final int EXCERPT_CHARS = 4000;

  private Reports() {}

  /** Reads a pytest {@code --junitxml} report. */
  public static TestResults junit(Path file) throws ReportFormatException {
    return junit(file, false);
  }

  /**
   * The same; {@code firstRunOnly}: a test case that appears again (the session ran the files more
   * than once, {@code --keep-duplicates}) counts once, with its first outcome.
   */
  public static TestResults junit(Path file, boolean firstRunOnly) throws ReportFormatException {
    Document doc = junitDocument(file);
    java.util.Set<String> seen = new java.util.HashSet<>();
    int passed = 0;
    int failed = 0;
    int errors = 0;
    int skipped = 0;
    List<String> failing = new ArrayList<>();
    List<String> passedIds = new ArrayList<>();
    StringBuilder excerpt = new StringBuilder();
    NodeList cases = doc.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element tc = (Element) cases.item(i);
      String classname = tc.getAttribute("classname");
      String id = (classname.isEmpty() ? "" : classname + "::") + tc.getAttribute("name");
      if (firstRunOnly && !seen.add(id)) {
        continue;
      }
      Element failure = child(tc, "failure");
      Element error = child(tc, "error");
      if (failure != null || error != null) {
        Element problem = failure != null ? failure : error;
        if (failure != null) {
          failed++;
        } else {
          errors++;
        }
        failing.add(id);
        if (excerpt.length() < EXCERPT_CHARS) {
          excerpt.append("___ ").append(id).append(" ___\n");
          String msg = problem.getAttribute("message");
          String text = problem.getTextContent();
          String said = text == null || text.isBlank() ? msg : text.strip();
          // a terminal's colour codes (a plugin that colours anyway) are noise in a PR
          excerpt.append(said.replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "")).append("\n\n");
        }
      } else if (child(tc, "skipped") != null) {
        skipped++;
      } else {
        passed++;
        passedIds.add(id);
      }
    }
    // collection errors are reported as <error> on a suite-level testcase, or only as the suite's
    // counter
    NodeList suites = doc.getElementsByTagName("testsuite");
    int suiteErrors = 0;
    for (int i = 0; i < suites.getLength(); i++) {
      String e = ((Element) suites.item(i)).getAttribute("errors");
      suiteErrors += e.isEmpty() ? 0 : Integer.parseInt(e);
    }
    errors = Math.max(errors, suiteErrors);
    String ex =
        excerpt.length() > EXCERPT_CHARS
            ? excerpt.substring(0, EXCERPT_CHARS) + "\n…"
            : excerpt.toString();
    return new TestResults(passed, failed, errors, skipped, failing, ex.strip(), passedIds);
  }

  /** Test id → passed (true) or failed/errored (false); skipped tests are left out. */
  public static Map<String, Boolean> junitCases(Path file) throws ReportFormatException {
    TestResults r = junit(file);
    Map<String, Boolean> out = new LinkedHashMap<>();
    for (String id : r.failing()) {
      out.put(id, false);
    }
    for (String id : r.passedIds()) {
      out.put(id, true);
    }
    return out;
  }

  /**
   * Every outcome of every test case, in the report's order (true: passed; skipped cases left out):
   * a test run several times in one session ({@code --keep-duplicates}) has several.
   */
  public static Map<String, List<Boolean>> junitRuns(Path file) throws ReportFormatException {
    Document doc = junitDocument(file);
    Map<String, List<Boolean>> out = new LinkedHashMap<>();
    NodeList cases = doc.getElementsByTagName("testcase");
    for (int i = 0; i < cases.getLength(); i++) {
      Element tc = (Element) cases.item(i);
      String classname = tc.getAttribute("classname");
      String id = (classname.isEmpty() ? "" : classname + "::") + tc.getAttribute("name");
      boolean failed = child(tc, "failure") != null || child(tc, "error") != null;
      if (failed || child(tc, "skipped") == null) {
        out.computeIfAbsent(id, k -> new ArrayList<>()).add(!failed);
      }
    }
    return out;
  }

  /** One parser per thread (a parser is not thread-safe; making one costs milliseconds). */
  private static final ThreadLocal<DocumentBuilder> XML =
      ThreadLocal.withInitial(
          () -> {
            try {
              DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
              f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
              f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
              f.setExpandEntityReferences(false);
              return f.newDocumentBuilder();
            } catch (javax.xml.parsers.ParserConfigurationException e) {
              throw new IllegalStateException("no secure XML parser: " + e.getMessage(), e);
            }
          });

  /**
   * Parses a small report once, for a spare thread: the JDK's XML parser loads two hundred classes
   * on its first use.
   */
  public static void warm() {
    try {
      XML.get()
          .parse(
              new org.xml.sax.InputSource(
                  new java.io.StringReader(
                      "<testsuites><testsuite name=\"s\"><testcase name=\"t\"/></testsuite></testsuites>")));
    } catch (Exception e) {
      // the first real report says what is wrong
    }
  }

  private static Document junitDocument(Path file) throws ReportFormatException {
    Document doc;
    try (InputStream in = Files.newInputStream(file)) {
      DocumentBuilder b = XML.get();
      b.reset();
      b.setErrorHandler(null);
      doc = b.parse(in);
    } catch (Exception e) {
      throw new ReportFormatException(
          "cannot read the pytest report " + file + ": " + e.getMessage(), e);
    }
    String root = doc.getDocumentElement().getTagName();
    if (!root.equals("testsuites") && !root.equals("testsuite")) {
      throw new ReportFormatException(
          "the pytest report " + file + " is not JUnit XML (root element <" + root + ">)");
    }
    return doc;
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  /**
   * Reads {@code coverage json}; paths become relative to {@code repo} with {@code /} separators.
   */
  public static Coverage coverage(Path file, Path repo) throws ReportFormatException {
    JsonNode root = readJson(file, "coverage");
    JsonNode totals = root.get("totals");
    JsonNode files = root.get("files");
    if (totals == null || !totals.has("percent_covered") || files == null) {
      throw new ReportFormatException(
          "the coverage report " + file + " has no 'totals.percent_covered' or 'files'");
    }
    Map<String, Coverage.FileCoverage> out = new LinkedHashMap<>();
    files
        .fields()
        .forEachRemaining(
            e ->
                out.put(
                    relative(e.getKey(), repo),
                    new Coverage.FileCoverage(
                        ints(e.getValue().get("executed_lines")),
                        ints(e.getValue().get("missing_lines")))));
    double percent = Math.round(totals.get("percent_covered").asDouble() * 100.0) / 100.0;
    return new Coverage(percent, out);
  }

  /** Reads {@code ruff check --output-format json}. */
  public static List<Finding> ruff(Path file, Path repo) throws ReportFormatException {
    JsonNode root = readJson(file, "ruff");
    if (!root.isArray()) {
      throw new ReportFormatException("the ruff report " + file + " is not a JSON array");
    }
    List<Finding> out = new ArrayList<>();
    for (JsonNode n : root) {
      JsonNode code = n.get("code");
      JsonNode loc = n.get("location");
      out.add(
          new Finding(
              relative(n.path("filename").asText(""), repo),
              loc == null ? 0 : loc.path("row").asInt(0),
              code == null || code.isNull() ? "syntax-error" : code.asText(),
              n.path("message").asText("")));
    }
    return out;
  }

  /**
   * Reads mypy's {@code file:line: error: message [code]} lines; notes and summaries are skipped.
   */
  public static List<Finding> mypy(String output, Path repo) {
    List<Finding> out = new ArrayList<>();
    for (String line : output.split("\\R")) {
      Matcher m = MYPY_LINE.matcher(line);
      if (m.matches()) {
        out.add(
            new Finding(
                relative(m.group(1), repo),
                Integer.parseInt(m.group(2)),
                m.group(4) == null ? "misc" : m.group(4),
                m.group(3).strip()));
      }
    }
    return out;
  }

  /**
   * Reads mypy's {@code -O json} output: one JSON object per line; notes and non-JSON lines are
   * skipped.
   */
  public static List<Finding> mypyJson(String output, Path repo) throws ReportFormatException {
    List<Finding> out = new ArrayList<>();
    for (String line : output.split("\\R")) {
      String l = line.strip();
      if (!l.startsWith("{")) {
        continue;
      }
      JsonNode n;
      try {
        n = JSON.readTree(l);
      } catch (IOException e) {
        throw new ReportFormatException("mypy printed a line that is not JSON: " + l, e);
      }
      if (!"error".equals(n.path("severity").asText("error"))) {
        continue;
      }
      JsonNode code = n.get("code");
      out.add(
          new Finding(
              relative(n.path("file").asText(""), repo),
              n.path("line").asInt(0),
              code == null || code.isNull() ? "misc" : code.asText(),
              n.path("message").asText("")));
    }
    return out;
  }

  /** True when this mypy version has {@code -O json} (1.11 and later). */
  public static boolean mypyHasJson(String version) {
    if (version == null) {
      return false;
    }
    Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
    if (!m.find()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 1 || (major == 1 && minor >= 11);
  }

  private static JsonNode readJson(Path file, String tool) throws ReportFormatException {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ReportFormatException(
          "cannot read the " + tool + " report " + file + ": " + e.getMessage(), e);
    }
  }

  private static List<Integer> ints(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    if (n != null) {
      n.forEach(x -> out.add(x.asInt()));
    }
    return out;
  }

  static String relative(String path, Path repo) {
    String p = path.replace('\\', '/');
    String r = repo.toAbsolutePath().normalize().toString().replace('\\', '/') + "/";
    if (p.startsWith(r)) {
      p = p.substring(r.length());
    }
    if (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p;
  }
}
