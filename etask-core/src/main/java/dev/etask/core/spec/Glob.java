package dev.etask.core.spec;

import java.util.regex.Pattern;

/**
 * A path glob over repository-relative paths with {@code /} separators: {@code *} matches within a
 * segment, {@code **} across segments ({@code **}{@code /} also matches nothing), {@code ?} one
 * character, {@code [abc]} a class and {@code {a,b}} alternatives.
 */
public final class Glob {
  private final String pattern;
  private final Pattern regex;

  private Glob(String pattern, Pattern regex) {
    this.pattern = pattern;
    this.regex = regex;
  }

  /**
   * Compiles a glob; throws {@link IllegalArgumentException} with a readable reason when invalid.
   */
  public static Glob compile(String glob) {
    check(glob);
    StringBuilder re = new StringBuilder();
    int braces = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> {
          boolean doubleStar = i + 1 < glob.length() && glob.charAt(i + 1) == '*';
          if (doubleStar) {
            i++;
            if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?");
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
        }
        case '?' -> re.append("[^/]");
        case '[' -> i = characterClass(glob, i, re);
        case '{' -> {
          braces++;
          re.append("(?:");
        }
        case '}' -> {
          if (braces == 0) {
            throw new IllegalArgumentException("'" + glob + "' has a '}' without its opening '{'");
          }
          braces--;
          re.append(')');
        }
        case ',' -> re.append(braces > 0 ? "|" : ",");
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (braces > 0) {
      throw new IllegalArgumentException("'" + glob + "' has a '{' without its closing '}'");
    }
    return new Glob(glob, Pattern.compile(re.toString()));
  }

  /** Why {@code glob} is not one this tool accepts (an IllegalArgumentException), or nothing. */
  private static void check(String glob) {
    if (glob == null || glob.isBlank()) {
      throw new IllegalArgumentException("a glob cannot be empty");
    }
    if (glob.startsWith("/")) {
      throw new IllegalArgumentException(
          "'"
              + glob
              + "' is absolute; globs are relative to the repository root (drop the leading /)");
    }
    if (glob.contains("\\")) {
      throw new IllegalArgumentException(
          "'" + glob + "' contains a backslash; use / between folders");
    }
    for (String segment : glob.split("/")) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException("'" + glob + "' climbs out of the repository with '..'");
      }
    }
  }

  /** The character class opening at {@code i} into {@code re}; returns where it closes. */
  private static int characterClass(String glob, int i, StringBuilder re) {
    int end = glob.indexOf(']', i + 1);
    if (end < 0) {
      throw new IllegalArgumentException("'" + glob + "' has a '[' without its closing ']'");
    }
    String body = glob.substring(i + 1, end);
    if (body.isEmpty()) {
      throw new IllegalArgumentException("'" + glob + "' has an empty character class '[]'");
    }
    if (body.startsWith("!")) {
      body = "^" + body.substring(1);
    }
    re.append('[').append(body.replace("\\", "\\\\")).append(']');
    return end;
  }

  public boolean matches(String path) {
    return regex.matcher(path).matches();
  }

  public String pattern() {
    return pattern;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
