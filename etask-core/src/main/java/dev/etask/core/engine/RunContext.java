package dev.etask.core.engine;

import dev.etask.core.git.ControlFiles;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.GitTransport;
import dev.etask.core.git.Origin;
import dev.etask.core.git.Retry;
import dev.etask.core.git.SshSessions;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Project;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;

/**
 * Everything a phase works with, handed to each: the spec and where things are, the listener, the
 * one process runner and redactor, the environments and the Python environment, the time budget,
 * the state store, the hints, and the {@link Tools} (real ones, or a test's fakes). Also what a run
 * learns on the way: the origin with its credentials (in memory only) and what the repository says
 * about itself.
 */
final class RunContext {
  /** Tool by-products that must never show up as changes in the clone. */
  static final List<String> BY_PRODUCTS =
      List.of(
          ".coverage",
          ".coverage.*",
          "__pycache__/",
          "*.py[cod]",
          ".pytest_cache/",
          ".mypy_cache/",
          ".ruff_cache/",
          "*.egg-info/",
          ".eggs/",
          "coverage.json",
          "coverage.xml");

  static final Duration GATE_TIMEOUT = Duration.ofMinutes(20);
  private static final int NETWORK_ATTEMPTS = 6;

  private final Engine.Config config;
  private final TaskSpec spec;
  private final Workspace ws;
  private final Listener out;
  private final Redactor redactor;
  private final ProcessRunner runner;
  private final Environments environments;
  private final PythonEnvironment python;
  private final StateStore store;
  private final Budget budget;
  private final Hints hints;
  private final Tools tools;
  private Origin origin;
  private SshdSessionFactory ssh;
  private boolean ciOutputsWritten;
  private Project project;
  private volatile boolean interrupted;
  private final ChangeGuard changeGuard = new ChangeGuard(this);
  private final Staging staging = new Staging(this);
  private final Sandboxing sandboxing;

  private final SpareThreads spare;

  RunContext(
      Engine.Config config,
      TaskSpec spec,
      Workspace ws,
      Listener out,
      Redactor redactor,
      Environments environments,
      StateStore store,
      Budget budget,
      Tools tools,
      SpareThreads spare) {
    this.config = config;
    this.spare = spare;
    this.spec = spec;
    this.ws = ws;
    this.out = out;
    this.redactor = redactor;
    this.runner = new ProcessRunner(redactor);
    Listener.tellCommands(runner, out);
    this.environments = environments;
    this.python =
        new PythonEnvironment(ws, runner, environments, spec.python().env(), List.of(), null);
    python.useWorker(); // a task measures many times: one Python start, one parse of the sources
    if (config.cacheDir() != null) {
      python.withTools(config.cacheDir().resolve("tools"), spec.python().interpreter());
    }
    this.sandboxing = Sandboxing.of(config, spec, tools::sandbox);
    if (!sandboxing.on()) {
      environments.copyingInstalls();
    }
    if (config.offline()) {
      environments.offline();
    }
    python.confinedBy(sandboxing.confinements(ws, spec, config.cacheDir()));
    runner.onSurvivors(
        (command, survivors) -> {
          out.warn(
              "stopped what "
                  + command.argv().get(0).replaceFirst(".*/", "")
                  + " left running: "
                  + String.join(", ", survivors));
          synchronized (this) {
            store.state().survived(survivors);
          }
        });
    this.store = store;
    this.budget = budget;
    this.hints = hints(config);
    this.tools = tools;
  }

  Engine.Config config() {
    return config;
  }

  TaskSpec spec() {
    return spec;
  }

  Workspace ws() {
    return ws;
  }

  Listener out() {
    return out;
  }

  Redactor redactor() {
    return redactor;
  }

  ProcessRunner runner() {
    return runner;
  }

  Environments environments() {
    return environments;
  }

  PythonEnvironment python() {
    return python;
  }

  StateStore store() {
    return store;
  }

  RunState state() {
    return store.state();
  }

  Budget budget() {
    return budget;
  }

  /** The next steps of this task's errors, each command written as the user started etask. */
  static Hints hints(Engine.Config config) {
    return new Hints(
        goal -> {
          if (config.command() != null) {
            return config.command().replace("{goal}", goal);
          }
          Path spec = config.spec().toAbsolutePath().normalize();
          Path run = config.runDir().toAbsolutePath().normalize();
          return "./mvnw etask:"
              + goal
              + " -Detask.spec="
              + (spec.startsWith(run) ? run.relativize(spec) : spec);
        });
  }

  Hints hints() {
    return hints;
  }

  Tools tools() {
    return tools;
  }

  /** What the generators of this run may change, and what the last one left as it was. */
  ChangeGuard changeGuard() {
    return changeGuard;
  }

  /** The trees the gates measure (see {@link Staging}). */
  Staging staging() {
    return staging;
  }

  /**
   * Whether this task's untrusted processes run in the sandbox, and why (see {@link Sandboxing}).
   */
  Sandboxing sandboxing() {
    return sandboxing;
  }

  /**
   * Where this task keeps what tasks may share (measured baselines): the shared cache folder when
   * its untrusted processes run in the sandbox (they cannot reach it), else a folder of the task's
   * own (a test of one task could forge what another task trusts); null for none.
   */
  Path sharedCacheDir() {
    if (config.cacheDir() == null) {
      return null;
    }
    return sandboxing.on() ? config.cacheDir() : ws.root();
  }

  /** The gates, each measurement on the exact tree it must see. */
  dev.etask.core.gates.Gates gates() {
    return staging.gates(tools.gates(this));
  }

  /** The checks of new tests, each on the exact tree it must see. */
  dev.etask.core.gates.TestChecks testChecks() {
    return staging.checks(tools.testChecks(this));
  }

  boolean interrupted() {
    return interrupted;
  }

  void interrupt() {
    interrupted = true;
  }

  /** What the repository says about itself, once PREPARE detected it in this run; else null. */
  Project project() {
    return project;
  }

  void project(Project detected) {
    project = detected;
  }

  /**
   * The origin, credentials in memory only ({@code state.origin} gets the URL without them): the
   * GitHub token for HTTPS on the GitHub host, the user's keys and agent for SSH. Offline, a
   * network origin is refused.
   */
  Origin origin() {
    if (origin == null) {
      Origin raw = OriginResolver.resolve(this);
      raw.secrets().forEach(redactor::add);
      state().git().origin(raw.url());
      if (config.offline() && !raw.isLocal()) {
        throw PullRequests.offline(this, "the origin " + raw.url());
      }
      Origin o = PullRequests.withToken(this, raw);
      if (o.isSsh()) {
        String agent = config.environment().get("SSH_AUTH_SOCK");
        ssh =
            SshSessions.factory(
                Path.of(System.getProperty("user.home")),
                agent == null || agent.isBlank() ? null : Path.of(agent));
        o = o.withSsh(ssh);
      }
      origin = o;
    }
    return origin;
  }

  boolean ciOutputsWritten() {
    return ciOutputsWritten;
  }

  void ciOutputsWritten(boolean written) {
    ciOutputsWritten = written;
  }

  /**
   * Runs {@code work} on a spare thread of this run: work that only makes a later step faster
   * (warming a cache while git or Python work), which that step does itself when it has to.
   */
  <T> java.util.concurrent.CompletableFuture<T> onSpareThread(java.util.function.Supplier<T> work) {
    return spare.run(work);
  }

  /** Starts the rehearsal of the git work on a spare thread (see {@link Warmup#rehearse}). */
  void warmUp() {
    Warmup.startRehearsal(spare);
  }

  /** Stops the spare threads' work, waiting a little for what runs to end. */
  void closeSpareThreads() {
    spare.close();
  }

  /** Closes what the task opened for the network (the SSH sessions). */
  void closeNetwork() {
    if (ssh != null) {
      ssh.close();
      ssh = null;
    }
  }

  /**
   * The task's clone, with its control files put back to what etask made them (a generator, or an
   * earlier run killed while one ran, may have left a hook, a filter or a remote in them).
   */
  GitRepo openClone() throws GitException {
    GitRepo git = GitRepo.open(ws.repo());
    try {
      List<String> fixed = new ControlFiles(git).sanitize(BY_PRODUCTS, ident());
      if (!fixed.isEmpty()) {
        out.warn(
            "put the clone's git control files back as etask made them: "
                + String.join(", ", fixed));
      }
      return git;
    } catch (GitException | RuntimeException e) {
      git.close();
      throw e;
    }
  }

  /**
   * Fetches and pushes of {@code git} to the origin, network errors retried within the time budget.
   */
  GitTransport transport(GitRepo git) {
    return new GitTransport(git, origin(), retry());
  }

  Retry retry() {
    return new Retry(NETWORK_ATTEMPTS, budget::remaining, w -> out.warn(redact(w)));
  }

  PersonIdent ident() {
    return new PersonIdent(spec.git().authorName(), spec.git().authorEmail());
  }

  /**
   * The batch in flight when it is at {@code stage}, after the checks every batch phase makes (the
   * task is not halted, its batches are planned); else null, having said what to run first: {@code
   * none} when no batch is in flight, "batch N " + {@code other} when it is at another stage.
   */
  BatchState batchAt(BatchState.Stage stage, String none, String other) {
    if (BranchGuard.halted(this)) {
      return null;
    }
    AnalyzePhase.requireAnalyzed(this);
    BatchState batch = state().inFlight();
    if (batch != null && batch.stage() == stage) {
      return batch;
    }
    out().info(batch == null ? none : "batch " + label(batch) + " " + other);
    return null;
  }

  /** A test's id (JUnit's form, as reports hold it) as the project's runner names it. */
  String testId(String id) {
    RunState s = state();
    return dev.etask.core.gates.TestIds.display(
        id,
        s.env().gates() == null
            ? dev.etask.core.gates.GateSetup.Runner.PYTEST
            : s.env().gates().runner(),
        ws.repo());
  }

  String label(BatchState b) {
    return (b.index() + 1) + "/" + state().batches().size();
  }

  String redact(String s) {
    return redactor.redact(s);
  }

  EtaskException gitFailure(Code code, GitException e, String next) {
    return new EtaskException(code, redact(e.getMessage()), Hints.network(next, e.network()), e);
  }

  static String shortSha(ObjectId id) {
    return id == null ? "?" : id.abbreviate(7).name();
  }

  static String secs(long t0) {
    return String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - t0) / 1e9);
  }
}
