package dev.etask.core.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into words as a POSIX shell would for plain arguments: blanks separate words,
 * single quotes keep everything, double quotes keep everything but {@code \"} and {@code \\}, a
 * backslash outside quotes keeps the next character. No expansion of any kind.
 */
public final class ShellWords {
  private ShellWords() {}

  /**
   * The words; throws {@link IllegalArgumentException} (with the 0-based offset in the message) on
   * an open quote.
   */
  public static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException(
              "the single quote at offset " + i + " is never closed");
        }
        word.append(line, i + 1, end);
        inWord = true;
        i = end;
      } else if (c == '"') {
        int j = i + 1;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char d = line.charAt(j);
          if (d == '\\'
              && j + 1 < line.length()
              && (line.charAt(j + 1) == '"' || line.charAt(j + 1) == '\\')) {
            j++;
            word.append(line.charAt(j));
          } else {
            word.append(d);
          }
        }
        if (j >= line.length()) {
          throw new IllegalArgumentException(
              "the double quote at offset " + i + " is never closed");
        }
        inWord = true;
        i = j;
      } else if (c == '\\' && i + 1 < line.length()) {
        word.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
