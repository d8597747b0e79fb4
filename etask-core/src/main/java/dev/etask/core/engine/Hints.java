package dev.etask.core.engine;

import java.nio.file.Path;

/**
 * The "Next:" texts of etask's errors, in one place. Each says what the user can do now, with the
 * command as they ran etask (launcher, plugin prefix or coordinates, their etask.* parameters).
 */
final class Hints {
  private final Engine.Config config;

  Hints(Engine.Config config) {
    this.config = config;
  }

  /** The command that runs {@code goal} on this task, as the user started etask. */
  static String command(Engine.Config config, String goal) {
    if (config.command() != null) {
      return config.command().replace("{goal}", goal);
    }
    Path spec = config.spec().toAbsolutePath().normalize();
    Path run = config.runDir().toAbsolutePath().normalize();
    return "./mvnw etask:"
        + goal
        + " -Detask.spec="
        + (spec.startsWith(run) ? run.relativize(spec) : spec);
  }

  String command(String goal) {
    return command(config, goal);
  }

  String startOver() {
    return "start over with " + command("clean");
  }

  String cleanAndRetry() {
    return "run " + command("clean") + " and try again";
  }

  static String disk(String what) {
    return "check the disk and the permissions of " + what;
  }

  String workDir() {
    return disk("etask.workDir");
  }

  String artifactsDir() {
    return disk("etask.artifactsDir");
  }

  String prepareFirst() {
    return "run " + command("prepare") + " first (or " + command("run") + " for the whole task)";
  }

  String analyzeFirst() {
    return "run " + command("analyze") + " first (or " + command("run") + " for the whole task)";
  }

  String reachable(String branch) {
    return "check that the origin is reachable and accepts pushes to " + branch;
  }

  String generatorPushed() {
    return "look at that commit on the origin and revert it there if it must go; fix the generator so it never"
        + " pushes; then "
        + startOver();
  }

  static String bug(Path trace) {
    return "report this as an etask bug with " + trace;
  }
}
