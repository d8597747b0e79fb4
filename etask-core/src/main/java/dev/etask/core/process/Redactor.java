package dev.etask.core.process;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Replaces secret values with {@code ****} wherever text leaves the process: log lines, artifacts,
 * state files, exception messages. A secret is redacted as it is, reversed, URL-encoded, in
 * hexadecimal and in base64 (at every alignment, so {@code base64("user:" + token)} is caught too);
 * a program that reads a secret can always encode it some other way: only the sandbox keeps it from
 * reading it. Register a secret before its first use; one redactor per task, never shared between
 * tasks.
 */
public final class Redactor {
  public static final String MASK = "****";

  /**
   * Explicit credentials (URL passwords, tokens, settings.xml passwords) shorter than this are
   * ignored.
   */
  static final int MIN_EXPLICIT = 4;

  /** Values of variables that only look secret by name must be at least this long. */
  static final int MIN_BY_NAME = 8;

  private static final int MIN_ENCODED = 6;

  private final Set<String> secrets = new LinkedHashSet<>();
  private volatile List<String> forms = List.of();
  private volatile List<String> longForms = List.of();

  public static Redactor none() {
    return new Redactor();
  }

  /**
   * Registers an explicit credential; blank or very short values are ignored (they would redact
   * ordinary text).
   */
  public Redactor add(String secret) {
    if (secret != null && secret.strip().length() >= MIN_EXPLICIT) {
      register(secret);
    }
    return this;
  }

  /**
   * Registers the value of a variable whose name looks secret, when it looks like a secret too: 8
   * characters or more, and not a boolean or a number ({@code TOKENIZERS_PARALLELISM=false} is
   * not).
   */
  public Redactor addByName(String value) {
    if (value != null && looksLikeSecretValue(value)) {
      register(value);
    }
    return this;
  }

  static boolean looksLikeSecretValue(String value) {
    String v = value.strip();
    if (v.length() < MIN_BY_NAME) {
      return false;
    }
    String lower = v.toLowerCase(java.util.Locale.ROOT);
    if (Set.of("true", "false", "yes", "no", "on", "off", "null", "none").contains(lower)) {
      return false;
    }
    return !v.matches("[-+]?[0-9_.,]+([eE][-+]?[0-9]+)?");
  }

  private synchronized void register(String secret) {
    if (!secrets.add(secret)) {
      return;
    }
    List<String> mine = forms(secret);
    Set<String> all = new LinkedHashSet<>(forms);
    all.addAll(mine);
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    forms = List.copyOf(sorted);
    if (secret.strip().length() >= MIN_BY_NAME) {
      List<String> longer = new ArrayList<>(longForms);
      longer.addAll(mine);
      longForms = List.copyOf(longer);
    }
  }

  /** {@code secret} as it is, reversed, URL-encoded, in hexadecimal and in base64. */
  private static List<String> forms(String secret) {
    List<String> out = new ArrayList<>(List.of(secret));
    out.add(new StringBuilder(secret).reverse().toString());
    String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
    out.add(encoded);
    out.add(encoded.replace("+", "%20"));
    String hex = java.util.HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
    out.add(hex);
    out.add(hex.toUpperCase(java.util.Locale.ROOT));
    out.addAll(base64Forms(secret));
    out.removeIf(String::isEmpty);
    return out;
  }

  /** {@code secret} in base64 at every alignment: the characters that depend on it alone. */
  private static List<String> base64Forms(String secret) {
    List<String> out = new ArrayList<>();
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    for (Base64.Encoder enc : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
      for (int align = 0; align < 3; align++) {
        byte[] padded = new byte[align + bytes.length];
        System.arraycopy(bytes, 0, padded, align, bytes.length);
        String b64 = enc.withoutPadding().encodeToString(padded);
        // the characters that depend on the secret's bytes alone, whatever surrounds it
        int from = (align * 8 + 5) / 6;
        int to = (padded.length * 8) / 6;
        if (to - from >= MIN_ENCODED) {
          out.add(b64.substring(from, to));
        }
      }
    }
    return out;
  }

  public boolean isEmpty() {
    return forms.isEmpty();
  }

  /**
   * True when {@code text} holds a registered secret of {@value #MIN_BY_NAME} characters or more,
   * in any of its forms. Shorter ones (a settings.xml password such as {@code test}) are too common
   * in ordinary text to tell apart: they are redacted, never searched for.
   */
  public boolean appearsIn(String text) {
    if (text == null) {
      return false;
    }
    for (String s : longForms) {
      if (text.contains(s)) {
        return true;
      }
    }
    return false;
  }

  public String redact(String text) {
    List<String> f = forms;
    if (text == null || f.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : f) {
      if (out.contains(s)) {
        out = out.replace(s, MASK);
      }
    }
    return out;
  }

  /**
   * A copy of a JSON tree with every string value redacted (keys and structure unchanged, so it
   * stays valid).
   */
  public com.fasterxml.jackson.databind.JsonNode redact(
      com.fasterxml.jackson.databind.JsonNode node) {
    if (node == null || forms.isEmpty()) {
      return node;
    }
    if (node.isTextual()) {
      return com.fasterxml.jackson.databind.node.TextNode.valueOf(redact(node.asText()));
    }
    if (node.isObject()) {
      com.fasterxml.jackson.databind.node.ObjectNode copy =
          ((com.fasterxml.jackson.databind.node.ObjectNode) node).objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), redact(e.getValue())));
      return copy;
    }
    if (node.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode copy =
          ((com.fasterxml.jackson.databind.node.ArrayNode) node).arrayNode();
      node.forEach(n -> copy.add(redact(n)));
      return copy;
    }
    return node;
  }

  /**
   * A copy of {@code error} and its causes with every message redacted and the same stack traces,
   * so it can be logged or rethrown without carrying a secret.
   */
  public Throwable scrub(Throwable error) {
    if (error == null) {
      return null;
    }
    Throwable cause = error.getCause() == error ? null : scrub(error.getCause());
    Throwable copy =
        new RedactedException(
            error.getClass().getName() + ": " + redact(String.valueOf(error.getMessage())), cause);
    copy.setStackTrace(error.getStackTrace());
    return copy;
  }

  /** An exception whose message was redacted; it names the original exception's class. */
  public static final class RedactedException extends RuntimeException {
    RedactedException(String message, Throwable cause) {
      super(message, cause);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
