package dev.etask.core.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real git for the tests, as etask runs it (no configuration of yours), as a test author. */
final class GitCli {
  private GitCli() {}

  /** {@code git args} in {@code dir}; its output, the test failing with git's when it fails. */
  static String git(Path dir, String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-c", "user.name=t"));
    argv.addAll(List.of("-c", "user.email=t@example.com", "-c", "protocol.file.allow=always"));
    argv.addAll(List.of(args));
    CliClone.Result r = CliClone.run(argv, dir, 60);
    assertThat(r.ok()).as("git %s: %s", String.join(" ", args), r.output()).isTrue();
    return r.output().strip();
  }
}
