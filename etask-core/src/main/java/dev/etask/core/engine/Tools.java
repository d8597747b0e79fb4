package dev.etask.core.engine;

import dev.etask.core.gates.GateRunner;
import dev.etask.core.gates.Gates;
import dev.etask.core.gates.TestChecks;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.generate.CommandGenerator;
import dev.etask.core.generate.Generator;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.workspace.Project;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the phases use to reach the world outside the JVM besides git: the Python environment, the
 * gates, the new-test checks, the generator and the PR provider. {@link #real()} runs the real
 * tools; a test hands in fakes, so every phase can be tested without Python or a network.
 */
interface Tools {
  PythonSetup python(RunContext c);

  Gates gates(RunContext c);

  TestChecks testChecks(RunContext c);

  /** The generator of this task, with {@code environment} as its whole environment. */
  Generator generator(RunContext c, Map<String, String> environment);

  /**
   * The PR provider; {@code record} names the local record ({@code pr}, or {@code pr-fail} for the
   * failure PR).
   */
  PullRequestProvider pullRequests(RunContext c, String record);

  /** Whether bubblewrap works on this machine (a test may say it does not). */
  default dev.etask.core.process.Sandbox.Probe sandbox() {
    return dev.etask.core.process.Sandbox.probe();
  }

  /** The task's Python project and virtualenv. */
  interface PythonSetup {
    /**
     * What the repository says about itself (uses the machine's interpreter: the venv may not exist
     * yet).
     */
    Project detect();

    /**
     * Builds or reuses the virtualenv; returns the resolved tool versions. {@code generated}: the
     * clone holds code the generator wrote, which a build runs (in the sandbox when it is on).
     */
    Map<String, String> ensure(Project project, boolean generated);

    /** Whether the virtualenv was built from what {@code project} says (no build is needed). */
    boolean current(Project project);

    /** Builds the virtualenv again next time. */
    void invalidate() throws IOException;

    /** What the last {@link #ensure} did differently from what was asked, for warnings. */
    default List<String> notes() {
      return List.of();
    }
  }

  static Tools real() {
    return new Tools() {
      @Override
      public PythonSetup python(RunContext c) {
        return venv(c);
      }

      @Override
      public Gates gates(RunContext c) {
        return new GateRunner(
            c.ws(),
            c.python(),
            c.runner(),
            c.state().env().toolVersions(),
            c.state().env().gates());
      }

      @Override
      public TestChecks testChecks(RunContext c) {
        return new TestQuality(c.ws(), c.python(), c.runner(), c.state().env().gates());
      }

      @Override
      public Generator generator(RunContext c, Map<String, String> environment) {
        TaskSpec.Generator g = c.spec().generator();
        if (g.llm() != null) {
          return llm(c, g.llm());
        }
        if ("dependency-upgrade".equals(g.builtin())) {
          return upgrader(c);
        }
        Map<String, String> env = new java.util.LinkedHashMap<>(environment);
        String command =
            g.builtin() == null ? g.command() : BuiltinGenerators.command(c, g.builtin(), env);
        return new CommandGenerator(
            command,
            c.spec().specDir(),
            c.ws().scratch(),
            env,
            c.runner(),
            c.python().confinements().generator(c.spec().specDir(), g.mounts(), g.network()));
      }

      @Override
      public PullRequestProvider pullRequests(RunContext c, String record) {
        return PullRequests.real(c, record);
      }
    };
  }

  /** The dependency-upgrade generator: the batch's planned upgrade, its lock file locked again. */
  private static Generator upgrader(RunContext c) {
    return new dev.etask.core.generate.DependencyUpgrader(
        () -> {
          BatchState next = c.state().nextPending();
          return next == null ? null : next.upgrade();
        },
        (lockFile, name, log, timeout) ->
            c.python()
                .lock(
                    c.spec().python().interpreter(),
                    name,
                    lockFile.equals("poetry.lock") ? poetry(c) : null,
                    log,
                    timeout));
  }

  /** Poetry 2, in the generator tools' own environment (installed from the index once). */
  private static java.nio.file.Path poetry(RunContext c) {
    return c.python().generatorTools(List.of("poetry>=2,<3")).resolveSibling("poetry");
  }

  /** {@code generator.llm}: the model writes the batch; its key from the caller's environment. */
  private static Generator llm(RunContext c, TaskSpec.Llm llm) {
    var writable = c.spec().target().writable();
    return new dev.etask.core.generate.LlmGenerator(
        new dev.etask.core.generate.ChatClient(
            llm.baseUrl(), c.config().environment().get(llm.apiKeyEnv())),
        llm.model(),
        llm.maxTokens(),
        llm.temperature(),
        p -> writable.stream().anyMatch(g -> g.matches(p)));
  }

  /** The task's virtualenv, built and measured with the spec's interpreter. */
  private static PythonSetup venv(RunContext c) {
    String interpreter = c.spec().python().interpreter();
    return new PythonSetup() {
      @Override
      public Project detect() {
        return c.python().detect(interpreter, c.spec().python());
      }

      @Override
      public Map<String, String> ensure(Project project, boolean generated) {
        Map<String, String> versions =
            c.python().ensure(interpreter, project, project.tools(), generated);
        c.python().confirmSandbox(); // its Python starts in the sandbox
        c.python().prepareBytecode(); // before any untrusted code of the task runs
        return versions;
      }

      @Override
      public boolean current(Project project) {
        return c.python().current(interpreter, project, project.tools());
      }

      @Override
      public void invalidate() throws IOException {
        c.python().invalidate();
      }

      @Override
      public List<String> notes() {
        return c.python().notes();
      }
    };
  }
}
