package dev.etask.core.engine;

import dev.etask.core.gates.GateSetup;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Project;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The task's Python side, made in PREPARE and again whenever the virtualenv must be rebuilt: the
 * project detected, how the gates run, the virtualenv built or reused, what the install wrote into
 * the clone recorded as etask's own, the worker's shared bytecode filled.
 */
final class ProjectEnvironment {
  /** The label of a batch that changes what the install reads (its dependencies). */
  static final String DEPENDENCIES_CHANGED = "dependencies-changed";

  private ProjectEnvironment() {}

  /**
   * Whether a change of {@code path} may change what the install reads: any file but Python source,
   * and {@code setup.py} (a batch of tests alone never needs the detector asked).
   */
  static boolean mayDeclareDependencies(String path) {
    return !path.endsWith(".py") || path.equals("setup.py") || path.endsWith("/setup.py");
  }

  /** Detects the project, decides how the gates run, builds or reuses the virtualenv. */
  static void ensure(RunContext c) {
    ensure(c, detect(c));
  }

  /** Tools a parallel whole suite needs, installed with the gates' own before any batch runs. */
  static final Map<String, String> PARALLEL_TOOLS =
      Map.of("pytest-xdist", ">=3", "pytest-cov", ">=5");

  /**
   * What the clone declares, with the tools the gates need beside it: pytest-xdist and pytest-cov
   * when the whole suite runs in workers (pytest-cov measures xdist's workers and combines their
   * data; coverage's own subprocess support would need a .pth file written into the venv while the
   * tests run, which the sandbox keeps read-only).
   */
  private static Project detect(RunContext c) {
    Project detected = c.tools().python(c).detect();
    GateSetup gates = gates(c, detected);
    if (gates.runner() == GateSetup.Runner.PYTEST && gates.testTimeout() > 0) {
      detected = detected.withTools(TIMEOUT_TOOLS, "etask's default");
    }
    return gates.xdistWorkers() == null ? detected : detected.withTools(PARALLEL_TOOLS);
  }

  /** What stops a test that runs longer than quality_gates.test_timeout under pytest. */
  static final Map<String, String> TIMEOUT_TOOLS = Map.of("pytest-timeout", ">=2.1");

  /**
   * How the gates run on {@code detected}; whether the type gate is on and how many workers run the
   * suite are the base's (a batch that adds a pyright configuration never switches its own type
   * gate off).
   */
  private static GateSetup gates(RunContext c, Project detected) {
    GateSetup now = GateSetup.of(c.spec().qualityGates(), detected);
    return c.state().env().gates() == null ? now : now.keeping(c.state().env().gates());
  }

  /**
   * Brings the virtualenv in line with what the clone declares now (a batch changed the
   * dependencies, or was rolled back): built again, from the cache, when what the install reads
   * changed. True when it was.
   */
  static boolean follow(RunContext c) {
    Project detected = detect(c);
    if (c.tools().python(c).current(detected)) {
      return false;
    }
    ensure(c, detected);
    return true;
  }

  private static void ensure(RunContext c, Project detected) {
    RunState state = c.state();
    long t0 = System.nanoTime();
    Tools.PythonSetup python = c.tools().python(c);
    c.project(detected);
    // the base's test variables: a batch's tox.ini never decides what the gates' processes get
    state
        .env()
        .detected(detected.source(), detected.tests(), gates(c, detected), detected.testEnv());
    c.python().useTestEnvironment(state.env().testEnvironment());
    boolean build = !Files.exists(c.ws().venv().resolve(".etask-env")) || !python.current(detected);
    boolean generated = build && generatedCode(c);
    announce(c, detected, build, generated);
    install(c, python, detected, build, generated);
    report(c, detected, build, t0);
  }

  /** What is about to be installed, and where the tools' versions and the pins come from. */
  private static void announce(RunContext c, Project detected, boolean build, boolean generated) {
    if (build) {
      c.out()
          .info(
              "building the Python environment ("
                  + (c.python().uv().isPresent() ? "uv" : "pip")
                  + (generated
                          && c.python().confinements() != null
                          && c.python().confinements().sandboxed()
                      ? ", in the sandbox: the clone holds code the generator wrote"
                      : "")
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
  }

  /**
   * Builds or reuses the venv; what the project's install wrote beside the tracked files is
   * recorded as etask's own.
   */
  private static void install(
      RunContext c, Tools.PythonSetup python, Project detected, boolean build, boolean generated) {
    RunState state = c.state();
    java.util.Set<String> extras = java.util.Set.of();
    if (build && state.env().ownedFiles() != null) {
      try (GitRepo git = c.openClone()) {
        extras = c.staging().extras(git); // what is there before the install is not the install's
      } catch (GitException e) {
        throw c.gitFailure(Code.ENV_FAILED, e, c.hints().cleanAndRetry());
      }
    }
    state.env().installed(python.ensure(detected, generated));
    if (build) {
      c.changeGuard().venvRebuilt(); // etask's doing, not a generator's nor a test's
    }
    python.notes().forEach(n -> c.out().warn(n));
    if (build || state.env().ownedFiles() == null) {
      try (GitRepo git = c.openClone()) {
        // what the install wrote beside the tracked files
        c.staging().recordOwned(git, extras, generated);
      } catch (GitException e) {
        throw c.gitFailure(Code.ENV_FAILED, e, c.hints().cleanAndRetry());
      }
    }
  }

  /** The environment's versions and folders, what the gates get as the project's test command. */
  private static void report(RunContext c, Project detected, boolean build, long t0) {
    RunState state = c.state();
    c.out()
        .info(
            "python environment "
                + (build ? "built" : "reused")
                + " in "
                + RunContext.secs(t0)
                + ": "
                + String.join(
                    ", ",
                    state.env().toolVersions().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue())
                        .toList())
                + "; sources "
                + detected.source()
                + ", tests "
                + detected.tests());
    c.out().info(state.env().gates().describe(c.spec().qualityGates(), detected));
    if (build && (!detected.installNotes().isEmpty() || !state.env().testEnvironment().isEmpty())) {
      List<String> said = new ArrayList<>();
      if (!detected.installNotes().isEmpty()) {
        said.add("installed " + String.join("; ", detected.installNotes()));
      }
      if (!state.env().testEnvironment().isEmpty()) {
        said.add(
            "the gates get "
                + String.join(
                    ", ",
                    state.env().testEnvironment().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList())
                + " ("
                + detected.testEnvSource()
                + " set_env; {repo} is the clone)");
      }
      c.out().info("as the project's test command: " + String.join("; ", said));
    }
    if (detected.source().isEmpty()) {
      c.out()
          .warn(
              "no Python source folder found: coverage and mypy cannot measure anything. Set python.source in"
                  + " the task spec.");
    }
  }

  /**
   * Whether the clone holds code the generator wrote: HEAD is not the base (etask's commits), or
   * the files differ from HEAD's (a batch's changes).
   */
  private static boolean generatedCode(RunContext c) {
    try (GitRepo git = c.openClone()) {
      ObjectId head = git.head();
      return head == null
          || !head.name().equals(c.state().git().baseSha())
          || !c.staging().workingTree().check(git.repository(), git.headTree()).changes().isEmpty();
    } catch (GitException e) {
      return true; // unknown: the safer way
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
