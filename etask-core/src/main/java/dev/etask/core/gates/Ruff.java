package dev.etask.core.gates;

import dev.etask.core.process.ProcessRunner;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lint gate: ruff check-only with a JSON report, with the repository's settings (or none of
 * anyone's when it has no ruff settings) and the rules the setup selects.
 */
final class Ruff {
  private Ruff() {}

  /**
   * Checks {@code targets} (paths from the clone's root; {@code .} for all); null and a problem
   * when ruff could not run.
   */
  static List<Finding> check(
      Workspace workspace,
      PythonEnvironment python,
      ProcessRunner runner,
      GateSetup setup,
      String label,
      List<String> targets,
      Duration timeout,
      List<String> problems,
      Map<String, Long> durations) {
    Path repo = workspace.repo();
    Path json = workspace.toolOutput(label).resolve(label + "-ruff.json");
    try {
      Files.deleteIfExists(json);
    } catch (java.io.IOException e) {
      // written again below
    }
    List<String> argv = argv(workspace, python, setup, json);
    argv.addAll(targets);
    ProcessRunner.Result ruff =
        runner.run(
            python.tool(
                label,
                argv,
                workspace.cache().resolve("ruff"),
                timeout,
                workspace.logs().resolve(label + "-gates.log")));
    durations.put("ruff", ruff.duration().toMillis());
    if (ruff.exitCode() <= 1 && !ruff.timedOut() && Files.exists(json)) {
      try {
        return Reports.ruff(json, repo);
      } catch (ReportFormatException e) {
        problems.add("ruff: " + e.getMessage());
        return null;
      }
    }
    problems.add(
        "ruff could not run (exit "
            + ruff.exitCode()
            + "): "
            + PythonEnvironment.lastLines(ruff.output(), 5));
    return null;
  }

  /** ruff in check-only mode, its JSON report into {@code json}, with the gate's settings. */
  private static List<String> argv(
      Workspace workspace, PythonEnvironment python, GateSetup setup, Path json) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                python.bin("ruff").toString(),
                "check",
                "--no-fix",
                "--output-format",
                "json",
                "--output-file",
                json.toString(),
                "--cache-dir",
                workspace.cache().resolve("ruff").toString(),
                // a file named here that the project excludes stays excluded, as in a run on
                // the whole tree
                "--force-exclude"));
    if (setup.ruffIsolated()) {
      argv.add("--isolated"); // no ruff settings of the repository's: none from above the clone
    }
    if (setup.lintSelect() != null) {
      argv.add("--select=" + String.join(",", setup.lintSelect()));
    }
    return argv;
  }
}
