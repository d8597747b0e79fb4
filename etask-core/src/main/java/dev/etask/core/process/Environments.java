package dev.etask.core.process;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Builds child environments; secrets are left out unless asked for by name. */
public final class Environments {
  /** Names that carry git or pull-request credentials: never passed to a child we do not control. */
  public static final Set<String> TOKEN_NAMES =
      Set.of("GITHUB_TOKEN", "GH_TOKEN", "ETASK_GITHUB_TOKEN", "ETASK_TOKEN", "GIT_ASKPASS", "GIT_PASSWORD");

  private Environments() {}

  /** The current environment, for our own tools (pip, pytest, …), without git/PR tokens. */
  public static Map<String, String> forTools() {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    TOKEN_NAMES.forEach(env::remove);
    return env;
  }

  /**
   * The environment for a generator: the current one without anything that looks like a secret,
   * plus the names the spec passes through explicitly — but never a git or PR token.
   */
  public static Map<String, String> forGenerator(Collection<String> passThrough) {
    Map<String, String> env = new LinkedHashMap<>();
    System.getenv().forEach((k, v) -> {
      if (!looksSecret(k)) {
        env.put(k, v);
      }
    });
    for (String name : passThrough) {
      String value = System.getenv(name);
      if (value != null && !TOKEN_NAMES.contains(name)) {
        env.put(name, value);
      }
    }
    TOKEN_NAMES.forEach(env::remove);
    return env;
  }

  static boolean looksSecret(String name) {
    String n = name.toUpperCase(Locale.ROOT);
    return TOKEN_NAMES.contains(n) || n.contains("TOKEN") || n.contains("SECRET") || n.contains("PASSWORD")
        || n.contains("PASSWD") || n.endsWith("_KEY") || n.contains("API_KEY") || n.contains("CREDENTIAL");
  }
}
