package dev.etask.core.gates;

/** One lint or type error. Its fingerprint ignores the line, so moved code is not "new". */
public record Finding(String file, int line, String code, String message) {
  public String fingerprint() {
    return file + "|" + code + "|" + message;
  }

  @Override
  public String toString() {
    return file + ":" + line + ": " + (code == null || code.isEmpty() ? "" : code + " ") + message;
  }
}
