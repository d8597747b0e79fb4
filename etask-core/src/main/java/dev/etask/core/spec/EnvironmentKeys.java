package dev.etask.core.spec;

import java.util.List;

/** Spec keys that list environment variables ({@code generator.env}, {@code python.env}). */
final class EnvironmentKeys {
  private static final String NAME = "[A-Za-z_][A-Za-z0-9_]*";

  private EnvironmentKeys() {}

  /** Names of environment variables. */
  static List<String> names(YamlSection section, String key) {
    List<String> names = section.strings(key);
    for (String name : names) {
      if (!name.matches(NAME)) {
        section.error(section.valueNode(key), "'" + name + "' is not an environment variable name");
      }
    }
    return names;
  }

  /**
   * Variables: a name (its value is the caller's) or {@code NAME=value} (the value as written,
   * "{repo}" in it read as the clone).
   */
  static List<String> variables(YamlSection section, String key) {
    List<String> entries = section.strings(key);
    for (String entry : entries) {
      String name = entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry;
      if (!name.matches(NAME)) {
        section.error(
            section.valueNode(key),
            "'"
                + entry
                + "' is neither an environment variable name nor NAME=value (such as"
                + " PYTHONPATH={repo}/tasks)");
      }
    }
    return entries;
  }
}
