package dev.etask.core.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environments of child processes. No child ever gets the caller's whole environment: each gets
 * an allowlist (PATH, LANG/LC_*, TMPDIR, TZ, the user names, pyenv's selection) with HOME set to a
 * folder of the task's own, and only what its job needs on top: pip's and uv's settings for the
 * environment build, the names in {@code generator.env} for the generator, the names in {@code
 * python.env} for the gates. Git and PR tokens never reach a child.
 */
public final class Environments {
  /** Names that carry git or pull-request credentials: never passed to a child. */
  public static final Set<String> TOKEN_NAMES =
      Set.of(
          "GITHUB_TOKEN",
          "GH_TOKEN",
          "ETASK_GITHUB_TOKEN",
          "ETASK_TOKEN",
          "GIT_ASKPASS",
          "GIT_PASSWORD");

  private static final Set<String> BASE =
      Set.of(
          "PATH",
          "LANG",
          "LANGUAGE",
          "TMPDIR",
          "TZ",
          "USER",
          "LOGNAME",
          "PYENV_ROOT",
          "PYENV_VERSION");
  private static final Set<String> NETWORK =
      Set.of(
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "NO_PROXY",
          "ALL_PROXY",
          "http_proxy",
          "https_proxy",
          "no_proxy",
          "all_proxy",
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "REQUESTS_CA_BUNDLE",
          "CURL_CA_BUNDLE");
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://([^/@\\s:'\"]*)(?::([^/@\\s'\"]*))?@");

  private final Map<String, String> caller;
  private final Path home;
  private Set<String> tokens = Set.of();
  private boolean copyInstalls;

  /**
   * {@code caller}: the environment etask itself runs in; {@code home}: the task's own HOME for
   * children.
   */
  public Environments(Map<String, String> caller, Path home) {
    this.caller = Map.copyOf(caller);
    List<String> fromEnv = new java.util.ArrayList<>();
    TOKEN_NAMES.forEach(n -> fromEnv.add(caller.get(n)));
    neverPass(fromEnv);
    this.home = home;
  }

  /** The children of a task whose HOME is {@code home}, in the environment this JVM runs in. */
  public static Environments of(Path home) {
    return new Environments(System.getenv(), home);
  }

  public Path home() {
    return home;
  }

  /** The allowlist every child gets. */
  public Map<String, String> base() {
    Map<String, String> env = new LinkedHashMap<>();
    caller.forEach(
        (k, v) -> {
          if (BASE.contains(k) || k.startsWith("LC_")) {
            env.put(k, v);
          }
        });
    env.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home.toString());
    return env;
  }

  /**
   * Building the virtualenv: the allowlist plus pip's and uv's own variables, proxies and
   * certificate bundles, the user's pip and uv configuration files (by path: HOME is the task's)
   * and their caches.
   */
  public Map<String, String> forInstall() {
    Map<String, String> env = base();
    caller.forEach(
        (k, v) -> {
          if (k.startsWith("PIP_") || k.startsWith("UV_") || NETWORK.contains(k)) {
            env.put(k, v);
          }
        });
    Path userHome = Path.of(caller.getOrDefault("HOME", System.getProperty("user.home")));
    Path config =
        caller.containsKey("XDG_CONFIG_HOME")
            ? Path.of(caller.get("XDG_CONFIG_HOME"))
            : userHome.resolve(".config");
    Path cache =
        caller.containsKey("XDG_CACHE_HOME")
            ? Path.of(caller.get("XDG_CACHE_HOME"))
            : userHome.resolve(".cache");
    if (!env.containsKey("PIP_CONFIG_FILE")) {
      for (Path p : List.of(config.resolve("pip/pip.conf"), userHome.resolve(".pip/pip.conf"))) {
        if (Files.isRegularFile(p)) {
          env.put("PIP_CONFIG_FILE", p.toString());
          break;
        }
      }
    }
    if (!env.containsKey("UV_CONFIG_FILE") && Files.isRegularFile(config.resolve("uv/uv.toml"))) {
      env.put("UV_CONFIG_FILE", config.resolve("uv/uv.toml").toString());
    }
    if (copyInstalls) {
      // uv hard-links a venv's files to its cache: one write there would reach every venv
      env.put("UV_LINK_MODE", "copy");
    }
    if (offline) {
      // Maven's -o: packages from uv's cache only; pip, which has no such mode, asks no index
      env.put("UV_OFFLINE", "1");
      env.put("PIP_NO_INDEX", "1");
    }
    env.putIfAbsent("PIP_CACHE_DIR", cache.resolve("pip").toString());
    env.putIfAbsent("UV_CACHE_DIR", cache.resolve("uv").toString());
    // private indexes: the user's netrc (HOME is the task's now) and ssh agent (git+ssh
    // requirements)
    if (caller.containsKey("NETRC")) {
      env.put("NETRC", caller.get("NETRC"));
    } else if (Files.isRegularFile(userHome.resolve(".netrc"))) {
      env.put("NETRC", userHome.resolve(".netrc").toString());
    }
    if (caller.containsKey("SSH_AUTH_SOCK")) {
      env.put("SSH_AUTH_SOCK", caller.get("SSH_AUTH_SOCK"));
    }
    return env;
  }

  /**
   * Installs copy every file into the virtualenv ({@code UV_LINK_MODE=copy}): without a sandbox the
   * gates could write into it, and through a hard link into uv's cache and every other venv.
   */
  /** Maven runs offline (-o): installs take packages from uv's cache only (see forInstall). */
  public Environments offline() {
    offline = true;
    return this;
  }

  /** Whether installs are offline ({@link #offline()}). */
  public boolean installsOffline() {
    return offline;
  }

  private boolean offline;

  public Environments copyingInstalls() {
    copyInstalls = true;
    return this;
  }

  /**
   * The generator: the allowlist plus the variables the spec names in {@code generator.env}, never
   * a token.
   */
  public Map<String, String> forGenerator(Collection<String> names) {
    return withNames(names);
  }

  /**
   * The gates (pytest, coverage, ruff, mypy): the allowlist plus the names in {@code python.env},
   * never a token.
   */
  public Map<String, String> forGates(Collection<String> names) {
    return withNames(names);
  }

  private Map<String, String> withNames(Collection<String> names) {
    Map<String, String> env = base();
    for (String name : names) {
      String value = caller.get(name);
      if (value != null && !TOKEN_NAMES.contains(name) && !tokens.contains(value.strip())) {
        env.put(name, value);
      }
    }
    return env;
  }

  /**
   * Values that are tokens whatever the variable holding them is called (the PR token found in
   * settings.xml, GH_TOKEN, GITHUB_TOKEN): a variable with one of them never reaches a child.
   */
  public Environments neverPass(Collection<String> values) {
    Set<String> t = new java.util.HashSet<>(tokens);
    values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip).forEach(t::add);
    tokens = Set.copyOf(t);
    return this;
  }

  /**
   * Registers every secret the caller's environment holds before any child runs: token variables,
   * the values of variables named like secrets, and credentials inside URLs (index URLs, proxies),
   * also those in the pip configuration files the environment build reads.
   */
  public void registerSecrets(Redactor redactor) {
    caller.forEach(
        (k, v) -> {
          if (TOKEN_NAMES.contains(k)) {
            redactor.add(v);
          } else if (looksSecret(k)) {
            redactor.addByName(v);
          }
          registerUrlCredentials(v, redactor);
        });
    Map<String, String> install = forInstall();
    if (install.containsKey("NETRC")) {
      try {
        Matcher m =
            Pattern.compile("\\bpassword\\s+(\\S+)")
                .matcher(Files.readString(Path.of(install.get("NETRC"))));
        while (m.find()) {
          redactor.add(m.group(1));
        }
      } catch (IOException | RuntimeException e) {
        // a netrc that cannot be read is one pip cannot read either
      }
    }
    for (String f :
        List.of(
            install.getOrDefault("PIP_CONFIG_FILE", ""),
            "/etc/pip.conf",
            install.getOrDefault("UV_CONFIG_FILE", ""))) {
      if (!f.isEmpty() && Files.isRegularFile(Path.of(f))) {
        try {
          registerUrlCredentials(Files.readString(Path.of(f), StandardCharsets.UTF_8), redactor);
        } catch (IOException | RuntimeException e) {
          // an unreadable configuration file is one pip cannot read either
        }
      }
    }
  }

  /**
   * Registers the password (or, without one, a long user name: {@code https://TOKEN@host}) of every
   * URL in {@code text}.
   */
  public static void registerUrlCredentials(String text, Redactor redactor) {
    if (text == null || !text.contains("@")) {
      return;
    }
    Matcher m = URL_CREDENTIALS.matcher(text);
    while (m.find()) {
      String user = decode(m.group(1));
      String password = m.group(2) == null ? null : decode(m.group(2));
      if (password != null && !password.isEmpty()) {
        redactor.add(password);
      } else if (user.length() >= Redactor.MIN_BY_NAME) {
        redactor.add(user);
      }
    }
  }

  private static String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /**
   * Names that say "secret": {@code *TOKEN*}, {@code *SECRET*}, {@code *PASSWORD*}, {@code *_KEY},
   * and the like.
   */
  public static boolean looksSecret(String name) {
    String n = name.toUpperCase(Locale.ROOT);
    return TOKEN_NAMES.contains(n)
        || n.contains("TOKEN")
        || n.contains("SECRET")
        || n.contains("PASSWORD")
        || n.contains("PASSWD")
        || n.endsWith("_KEY")
        || n.contains("API_KEY")
        || n.contains("CREDENTIAL");
  }
}
