package dev.etask.core.git;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The repository a task works on, as etask keeps it: a URL with no credentials in it (that is what
 * state.json, status.json and logs see) and the credentials, held in memory only and handed to JGit
 * for each fetch and push. The task's clone has no remote at all.
 */
public final class Origin {
  private final String url;
  private final String user;
  private final String password;
  private final SshSessionFactory ssh;

  private Origin(String url, String user, String password) {
    this(url, user, password, null);
  }

  private Origin(String url, String user, String password, SshSessionFactory ssh) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.ssh = ssh;
  }

  /**
   * This origin with a token as its HTTPS credentials ({@code user} is the name the host wants with
   * a token, {@code x-access-token} for GitHub). A URL that carries its own credentials keeps them;
   * other schemes ignore the token.
   */
  public Origin withToken(String user, String token) {
    if (hasCredentials() || token == null || !url.toLowerCase(Locale.ROOT).startsWith("https://")) {
      return this;
    }
    return new Origin(url, user, token, ssh);
  }

  /** This origin, reached over SSH through {@code factory} (see {@link SshSessions}). */
  public Origin withSsh(SshSessionFactory factory) {
    return new Origin(url, user, password, factory);
  }

  /** True for {@code ssh://} URLs and scp-like {@code user@host:path} addresses. */
  public boolean isSsh() {
    String lower = url.toLowerCase(Locale.ROOT);
    return lower.startsWith("ssh://")
        || lower.startsWith("git+ssh://")
        || lower.startsWith("ssh+git://")
        || (!url.contains("://") && url.matches("^[\\w.-]+@[\\w.-]+:.*"));
  }

  /** True for a path or {@code file://} URL: no network, no credentials. */
  public boolean isLocal() {
    return url.toLowerCase(Locale.ROOT).startsWith("file://") || (!url.contains("://") && !isSsh());
  }

  /** Hands JGit the SSH session factory for SSH transports; called for every fetch and push. */
  void configure(Transport transport) {
    if (ssh != null && transport instanceof SshTransport sshTransport) {
      sshTransport.setSshSessionFactory(ssh);
    }
  }

  /**
   * Splits a URL's credentials off: {@code https://user:token@host/x.git} becomes {@code
   * https://host/x.git} with user and token kept apart; {@code https://TOKEN@host} keeps the token
   * as the user name. SSH URLs keep their user (it is not a secret) but never a password. Paths and
   * scp-like {@code git@host:path} stay as they are.
   */
  public static Origin parse(String raw) {
    int scheme = raw.indexOf("://");
    if (scheme < 0) {
      return new Origin(raw, null, null);
    }
    int hostStart = scheme + 3;
    int slash = raw.indexOf('/', hostStart);
    int at = raw.lastIndexOf('@', slash < 0 ? raw.length() : slash);
    if (at < hostStart) {
      // a password with a raw '/' in it (not URL-encoded): user:pa/ss@host/path
      int last = raw.lastIndexOf('@');
      int colon = raw.indexOf(':', hostStart);
      boolean port = colon > 0 && slash > colon && raw.substring(colon + 1, slash).matches("\\d+");
      if (last > hostStart
          && colon > hostStart
          && colon < slash
          && !port
          && raw.indexOf('/', last) > last) {
        at = last;
      } else {
        return new Origin(raw, null, null);
      }
    }
    String userInfo = raw.substring(hostStart, at);
    int colon = userInfo.indexOf(':');
    String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
    String password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    String rest = raw.substring(at + 1);
    String schemeName = raw.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
    if (schemeName.startsWith("ssh") || schemeName.startsWith("git+ssh")) {
      return new Origin(
          raw.substring(0, hostStart)
              + (user.isEmpty() ? "" : userInfo.split(":", 2)[0] + "@")
              + rest,
          null,
          password);
    }
    return new Origin(raw.substring(0, hostStart) + rest, user, password);
  }

  /** A local repository (a path): no credentials. */
  public static Origin local(String path) {
    return new Origin(path, null, null);
  }

  /** The URL without credentials: safe to store and print. */
  public String url() {
    return url;
  }

  public boolean hasCredentials() {
    return (user != null && !user.isEmpty()) || (password != null && !password.isEmpty());
  }

  /** The credentials for JGit, or null when the URL had none. */
  public CredentialsProvider credentials() {
    if (!hasCredentials()) {
      return null;
    }
    return new UsernamePasswordCredentialsProvider(
        user == null ? "" : user, password == null ? "" : password);
  }

  /** The secret parts, for the redactor: the password, or a token given as the user name. */
  public java.util.List<String> secrets() {
    java.util.List<String> out = new java.util.ArrayList<>();
    if (password != null && !password.isEmpty()) {
      out.add(password);
    } else if (user != null && user.length() >= 8) {
      out.add(user);
    }
    return out;
  }

  /** The host of a URL or scp-like origin, or null for a path. */
  public String host() {
    if (!url.contains("://")) {
      return isSsh() ? url.substring(url.indexOf('@') + 1, url.indexOf(':')) : null;
    }
    try {
      return URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The {@code owner/name} a URL or scp-like origin points at ({@code .git} dropped), or null: what
   * GitHub calls the repository.
   */
  public String ownerAndName() {
    String path;
    if (!url.contains("://")) {
      if (!isSsh()) {
        return null;
      }
      path = url.substring(url.indexOf(':') + 1);
    } else {
      try {
        path = URI.create(url).getPath();
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    if (path == null) {
      return null;
    }
    String[] parts = path.replaceAll("^/+|/+$", "").replaceAll("\\.git$", "").split("/");
    return parts.length >= 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : null;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  @Override
  public String toString() {
    return url;
  }
}
