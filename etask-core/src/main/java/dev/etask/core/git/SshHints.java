package dev.etask.core.git;

/** What to do when an SSH origin refuses etask, said in the terms of the user's own ssh setup. */
final class SshHints {
  private SshHints() {}

  static String of(String detail) {
    if (detail.contains("Server key did not validate")) {
      return " (the host is not in ~/.ssh/known_hosts, or its key changed: check the host's key"
          + " fingerprint and add it, e.g. with ssh-keyscan; etask never trusts an unknown host)";
    }
    if (detail.contains("Cannot log in")) {
      return " (no key was accepted: etask uses the keys in ~/.ssh and the ssh-agent named by"
          + " SSH_AUTH_SOCK; check that 'ssh -T' to the host works with them, and that the key"
          + " has no passphrase or is loaded in the agent)";
    }
    return "";
  }
}
