package dev.etask.core.git;

/**
 * A git operation failed; {@code network} tells a transport problem that may pass from one that
 * will not.
 */
public final class GitException extends Exception {
  private final boolean network;

  public GitException(String message, boolean network, Throwable cause) {
    super(message, cause);
    this.network = network;
  }

  public boolean network() {
    return network;
  }
}
