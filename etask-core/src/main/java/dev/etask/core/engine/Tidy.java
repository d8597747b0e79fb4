package dev.etask.core.engine;

import dev.etask.core.gates.GateSetup;
import dev.etask.core.git.Change;
import dev.etask.core.process.Command;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code generator.tidy}: after the generator and before etask records the batch's tree, ruff's
 * safe fixes ({@code ruff check --fix}) and, where the repository formats with it, {@code ruff
 * format} run on the Python files the batch changed, with the repository's own settings and the
 * venv's ruff, in the generator's sandbox with no network. A good test is then not rejected for
 * import order or line length. Never a file the batch did not change.
 */
final class Tidy {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern FORMATS =
      Pattern.compile("(?m)^\\s*\\[(tool\\.ruff\\.format|format)\\]|^\\s*-?\\s*id:\\s*ruff-format");

  private Tidy() {}

  /**
   * Whether tidy runs for this task: as the spec says, else when the repository configures ruff.
   */
  static boolean on(RunContext c) {
    Boolean asked = c.spec().generator().tidy();
    GateSetup gates = c.state().env().gates();
    return asked != null ? asked : gates != null && !gates.ruffIsolated();
  }

  /**
   * Tidies the Python files among {@code changes}; returns the ones it changed (listed in the
   * batch's log and the output).
   */
  static List<String> run(RunContext c, BatchState batch, List<Change> changes) {
    if (!on(c) || !Files.isExecutable(c.python().bin("ruff"))) {
      return List.of();
    }
    List<String> files = new ArrayList<>();
    for (Change change : changes) {
      Path file = c.ws().repo().resolve(change.path());
      // never through a link: ruff writes where it leads
      if (change.kind() != Change.Kind.DELETED
          && change.path().endsWith(".py")
          && Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        files.add(change.path());
      }
    }
    if (files.isEmpty()) {
      return List.of();
    }
    Map<String, String> before = digests(c.ws().repo(), files);
    Path log = c.ws().logs().resolve(batch.name() + "-tidy.log");
    run(c, log, List.of("check", "--fix", "--exit-zero"), files);
    if (formats(c.ws().repo())) {
      run(c, log, List.of("format"), files);
    }
    Map<String, String> after = digests(c.ws().repo(), files);
    List<String> changed = files.stream().filter(f -> !before.get(f).equals(after.get(f))).toList();
    if (!changed.isEmpty()) {
      c.out().info("tidy (ruff) changed " + String.join(", ", changed) + "; log: " + log);
    }
    return changed;
  }

  private static void run(RunContext c, Path log, List<String> action, List<String> files) {
    List<String> argv = new ArrayList<>();
    argv.add(c.python().bin("ruff").toString());
    argv.addAll(action);
    argv.addAll(List.of("--no-cache", "--force-exclude", "--"));
    argv.addAll(files);
    Map<String, String> env =
        c.python().forGenerator(c.environments().forGenerator(List.of()), c.ws().scratch());
    TaskSpec.Generator g = c.spec().generator();
    Command command = new Command(argv, c.ws().repo(), env, TIMEOUT, log);
    ProcessRunner.Result r =
        c.runner()
            .run(
                command.confined(
                    c.python().confinements().generator(c.spec().specDir(), g.mounts(), false)));
    if (!r.ok()) {
      c.out()
          .warn("tidy: ruff " + action.get(0) + " failed (exit " + r.exitCode() + "); log: " + log);
    }
  }

  /** Whether the repository formats with ruff (its configuration or pre-commit says so). */
  static boolean formats(Path repo) {
    for (String name :
        List.of("pyproject.toml", "ruff.toml", ".ruff.toml", ".pre-commit-config.yaml")) {
      Path file = repo.resolve(name);
      try {
        if (Files.isRegularFile(file)
            && Files.size(file) < 1_000_000
            && FORMATS.matcher(Files.readString(file, StandardCharsets.UTF_8)).find()) {
          return true;
        }
      } catch (IOException e) {
        // unreadable: not evidence that the repository formats with ruff
      }
    }
    return false;
  }

  private static Map<String, String> digests(Path repo, List<String> files) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (String f : files) {
      try {
        digests.put(f, StateStore.sha256(Files.readAllBytes(repo.resolve(f))));
      } catch (IOException e) {
        digests.put(f, "unreadable");
      }
    }
    return digests;
  }
}
