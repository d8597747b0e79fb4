package dev.etask.core.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exact pins ({@code name==version}) a project declares: the lines of {@code requirements*.txt}
 * and, in {@code pyproject.toml}, PEP 621's {@code [project] dependencies} and {@code
 * optional-dependencies}, PEP 735's {@code [dependency-groups]} and Poetry's dependency tables
 * (build requirements are not the project's dependencies). Each pin can be set to another version
 * in the file's own text, nothing else of the file touched.
 */
public final class DependencyPins {
  private static final Pattern PIN =
      Pattern.compile(
          "^\\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\\s*(\\[[^\\]]*\\])?\\s*==\\s*"
              + "([A-Za-z0-9._+!-]+)\\s*(;.*)?$");
  private static final TomlMapper TOML = new TomlMapper();

  /** A TOML string on one line: "…" (backslash escapes skipped over) or '…' (literal). */
  private static final Pattern TOML_STRING =
      Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"|'([^'\\n]*)'");

  private DependencyPins() {}

  /** A pin: the name as written, its normalised form (PEP 503), the version, the file's path. */
  public record Pin(String name, String key, String version, String file) {}

  /** PEP 503: lower case, runs of {@code -_.} as one {@code -}. */
  public static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
  }

  /** Whether {@code path} (relative to the repository) declares dependencies etask reads. */
  public static boolean declares(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    return name.equals("pyproject.toml")
        || (name.startsWith("requirements") && name.endsWith(".txt"));
  }

  /** The pins of {@code path} in {@code repo}, in the file's order. */
  public static List<Pin> read(Path repo, String path) throws IOException {
    String text = Files.readString(inside(repo, path), StandardCharsets.UTF_8);
    List<Pin> out = new ArrayList<>();
    if (path.endsWith(".toml")) {
      JsonNode root = TOML.readTree(text);
      strings(root.path("project").path("dependencies"), path, out);
      root.path("project").path("optional-dependencies").forEach(g -> strings(g, path, out));
      root.path("dependency-groups").forEach(g -> strings(g, path, out));
      JsonNode poetry = root.path("tool").path("poetry");
      poetry(poetry.path("dependencies"), path, out);
      poetry(poetry.path("dev-dependencies"), path, out);
      poetry.path("group").forEach(g -> poetry(g.path("dependencies"), path, out));
      return out;
    }
    for (String line : text.split("\n", -1)) {
      pin(requirementLine(line), path).ifPresent(out::add);
    }
    return out;
  }

  /**
   * {@code text} of {@code path} with the pin of {@code key} (normalised) at {@code from} set to
   * {@code to}; the text unchanged when it holds no such pin.
   */
  public static String bump(String path, String text, String key, String from, String to) {
    StringBuilder out = new StringBuilder();
    if (path.endsWith(".toml")) {
      // a pin is a quoted string on one line: only such strings are rewritten (a build requirement
      // pinned to the same version of the same package moves with it)
      Matcher m = TOML_STRING.matcher(text);
      while (m.find()) {
        String q = m.group(1) != null ? "\"" : "'";
        String inner = m.group(1) != null ? m.group(1) : m.group(2);
        m.appendReplacement(out, Matcher.quoteReplacement(q + bumped(inner, key, from, to) + q));
      }
      m.appendTail(out);
      return poetryBump(out.toString(), key, from, to);
    }
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int comment = commentAt(line);
      String body = comment < 0 ? line : line.substring(0, comment);
      String rest = comment < 0 ? "" : line.substring(comment);
      out.append(body.isBlank() ? body : bumped(body, key, from, to)).append(rest);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /**
   * The file at {@code path} in {@code repo}, refused when it or a folder above it is a link: what
   * etask writes stays inside the clone.
   */
  public static Path inside(Path repo, String path) throws IOException {
    Path file = repo.resolve(path).normalize();
    if (!file.startsWith(repo)) {
      throw new IOException(path + " is outside the repository");
    }
    for (Path p = file; !p.equals(repo); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw new IOException(
            path + " is a symbolic link (or lies under one): etask edits no link");
      }
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(path + " is not a file");
    }
    return file;
  }

  private static String bumped(String requirement, String key, String from, String to) {
    Matcher m = PIN.matcher(requirement);
    if (!m.matches()
        || !normalize(m.group(1)).equals(key)
        || !(m.group(3).equals(from) || PackageIndex.newer(to, m.group(3)))) {
      return requirement;
    }
    return requirement.substring(0, m.start(3)) + to + requirement.substring(m.end(3));
  }

  /**
   * Poetry's tables ({@code name = "1.2.3"}, {@code "==1.2.3"} or {@code {version = "1.2.3", …}}):
   * an exact version is a pin; {@code python} is not a dependency.
   */
  private static void poetry(JsonNode table, String path, List<Pin> out) {
    table
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue().isObject() ? e.getValue().path("version") : e.getValue();
              Matcher m = POETRY_EXACT.matcher(v.asText(""));
              if (!e.getKey().equals("python")
                  && NAME.matcher(e.getKey()).matches()
                  && v.isTextual()
                  && m.matches()) {
                out.add(new Pin(e.getKey(), normalize(e.getKey()), m.group(2), path));
              }
            });
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

  private static final Pattern POETRY_EXACT = Pattern.compile("(==)?\\s*(\\d[A-Za-z0-9._+!-]*)");

  /**
   * In the lines of Poetry's dependency tables, {@code key}'s version {@code from} set to {@code
   * to} (in {@code name = "from"} or {@code name = {version = "from", …}}).
   */
  private static String poetryBump(String text, String key, String from, String to) {
    String[] lines = text.split("\n", -1);
    boolean inTable = false;
    Pattern version = Pattern.compile("([\"'])(==)?" + Pattern.quote(from) + "\\1");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("[")) {
        inTable = line.startsWith("[tool.poetry.") && line.contains("dependencies");
        continue;
      }
      int eq = line.indexOf('=');
      if (!inTable || eq < 1) {
        continue;
      }
      String name = line.substring(0, eq).strip().replaceAll("^[\"']|[\"']$", "");
      if (normalize(name).equals(key)) {
        Matcher m = version.matcher(lines[i]);
        if (m.find(lines[i].indexOf('='))) {
          String q = m.group(1);
          lines[i] =
              lines[i].substring(0, m.start())
                  + q
                  + (m.group(2) == null ? "" : "==")
                  + to
                  + q
                  + lines[i].substring(m.end());
        }
      }
    }
    return String.join("\n", lines);
  }

  private static void strings(JsonNode array, String path, List<Pin> out) {
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      JsonNode n = it.next();
      if (n.isTextual()) {
        pin(n.asText(), path).ifPresent(out::add);
      }
    }
  }

  private static java.util.Optional<Pin> pin(String requirement, String path) {
    Matcher m = PIN.matcher(requirement);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new Pin(m.group(1), normalize(m.group(1)), m.group(3), path));
  }

  /** A requirements line without its comment; options ({@code -r}, {@code --hash}) never pins. */
  private static String requirementLine(String line) {
    int comment = commentAt(line);
    String body = (comment < 0 ? line : line.substring(0, comment)).strip();
    return body.startsWith("-") ? "" : body;
  }

  /** Where a comment starts: a {@code #} at the start or after white space. */
  private static int commentAt(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return i;
      }
    }
    return -1;
  }
}
