package dev.etask.core.engine;

import dev.etask.core.gates.GateSetup;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Project;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * The task's Python side, made in PREPARE and again whenever the virtualenv must be rebuilt: the
 * project detected, how the gates run, the virtualenv built or reused, what the install wrote into
 * the clone recorded as etask's own, the worker's shared bytecode filled.
 */
final class ProjectEnvironment {
  private ProjectEnvironment() {}

  /** Detects the project, decides how the gates run, builds or reuses the virtualenv. */
  static void ensure(RunContext c) {
    RunState state = c.state();
    TaskSpec spec = c.spec();
    long t0 = System.nanoTime();
    Tools.PythonSetup python = c.tools().python(c);
    Project detected = python.detect();
    c.project(detected);
    state.sourceDirs = new ArrayList<>(detected.source());
    state.testDirs = new ArrayList<>(detected.tests());
    state.gates = GateSetup.of(spec.qualityGates(), detected);
    boolean fresh = !Files.exists(c.ws().venv().resolve(".etask-env"));
    if (fresh) {
      c.out()
          .info(
              "building the Python environment ("
                  + (c.python().uv().isPresent() ? "uv" : "pip")
                  + "): "
                  + String.join(" ", detected.install())
                  + (detected.install().isEmpty() ? "" : " + ")
                  + String.join(
                      " ",
                      detected.tools().entrySet().stream()
                          .map(e -> e.getKey() + e.getValue())
                          .toList())
                  + " …");
    }
    detected
        .toolSources()
        .forEach(
            (tool, where) -> {
              if (!where.equals("etask's default")) {
                c.out().info(tool + detected.tools().get(tool) + " as " + where + " asks");
              }
            });
    if (!detected.locked().isEmpty()) {
      c.out()
          .info(
              "dependencies at the versions "
                  + detected.lockFile()
                  + " pins ("
                  + detected.locked().size()
                  + " packages), as the project's own install would have them");
    }
    java.util.Set<String> extras = java.util.Set.of();
    if (fresh && state.ownedFiles != null) {
      try (GitRepo git = c.openClone()) {
        extras = c.staging().extras(git); // what is there before the install is not the install's
      } catch (GitException e) {
        throw c.gitFailure(Code.ENV_FAILED, e, c.hints().cleanAndRetry());
      }
    }
    state.toolVersions = new LinkedHashMap<>(python.ensure(detected));
    python.notes().forEach(n -> c.out().warn(n));
    if (fresh || state.ownedFiles == null) {
      try (GitRepo git = c.openClone()) {
        c.staging().recordOwned(git, extras); // what the install wrote beside the tracked files
      } catch (GitException e) {
        throw c.gitFailure(Code.ENV_FAILED, e, c.hints().cleanAndRetry());
      }
    }
    c.out()
        .info(
            "python environment "
                + (fresh ? "built" : "reused")
                + " in "
                + RunContext.secs(t0)
                + ": "
                + String.join(
                    ", ",
                    state.toolVersions.entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList())
                + "; sources "
                + detected.source()
                + ", tests "
                + detected.tests());
    c.out().info(state.gates.describe(spec.qualityGates(), detected));
    if (detected.source().isEmpty()) {
      c.out()
          .warn(
              "no Python source folder found: coverage and mypy cannot measure anything. Set python.source in"
                  + " the task spec.");
    }
  }

  /**
   * Installs the project again (its virtualenv built anew): what its install wrote into the clone
   * was changed, and only the install writes it back.
   */
  static void reinstall(RunContext c) {
    try {
      c.python().stopWorker();
      c.tools().python(c).invalidate();
    } catch (java.io.IOException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "cannot rebuild the virtualenv: " + e.getMessage(),
          c.hints().cleanAndRetry(),
          e);
    }
    c.out().warn("installing the project again: a batch changed what its install wrote");
    ensure(c);
  }
}
