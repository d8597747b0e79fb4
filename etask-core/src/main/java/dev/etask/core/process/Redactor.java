package dev.etask.core.process;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Replaces secret values with {@code ****} wherever text leaves the process: logs, artifacts, messages. */
public final class Redactor {
  private static final int MIN_SECRET_LENGTH = 4;
  private final List<String> secrets = new ArrayList<>();

  public static Redactor none() {
    return new Redactor();
  }

  /** Registers a secret; short or blank values are ignored (they would redact ordinary text). */
  public synchronized Redactor add(String secret) {
    if (secret != null && secret.strip().length() >= MIN_SECRET_LENGTH && !secrets.contains(secret)) {
      secrets.add(secret);
      secrets.sort(Comparator.comparingInt(String::length).reversed());
    }
    return this;
  }

  public synchronized String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, "****");
    }
    return out;
  }
}
