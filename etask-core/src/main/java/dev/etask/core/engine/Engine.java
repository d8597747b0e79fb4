package dev.etask.core.engine;

import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The facade the Maven goals call (docs/ARCHITECTURE.md §2). Each public method is one goal and
 * runs one {@link Phase} through the {@link PhaseRunner} on the persisted {@link RunState}, so
 * goals can run one by one, in the lifecycle, or all at once with {@link #run()}. A fatal failure
 * is recorded (state, status.json, FAILURE.md) before it is rethrown.
 */
public final class Engine implements AutoCloseable {

  /**
   * Where things are: the spec, the work folder, the artifacts folder, and the folder the user ran
   * in; {@code secrets} are credentials the caller knows of (settings.xml passwords), registered
   * with the redactor before anything runs; {@code command} is how the user starts this task again
   * (for hints), with {@code {goal}} for the goal; {@code dryRun} computes and shows but never
   * pushes or opens a PR; {@code servers} are settings.xml servers' passwords by id (decrypted),
   * where a token may be; {@code environment} is the caller's environment (GH_TOKEN, SSH_AUTH_SOCK,
   * GITHUB_OUTPUT, …); {@code offline} refuses everything that needs the network; {@code cacheDir}
   * is what tasks share on this machine (uv, baselines), null for nothing shared; {@code sandbox}
   * overrides the spec's {@code sandbox:} ({@code -Detask.sandbox}), null keeps it.
   */
  public record Config(
      Path spec,
      Path workDir,
      Path artifactsDir,
      Path runDir,
      List<String> secrets,
      String command,
      boolean dryRun,
      Map<String, String> servers,
      Map<String, String> environment,
      boolean offline,
      Path cacheDir,
      dev.etask.core.spec.TaskSpec.SandboxMode sandbox) {
    public Config {
      secrets = secrets == null ? List.of() : List.copyOf(secrets);
      servers = servers == null ? Map.of() : Map.copyOf(servers);
      environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    public Config(
        Path spec,
        Path workDir,
        Path artifactsDir,
        Path runDir,
        List<String> secrets,
        String command,
        boolean dryRun,
        Map<String, String> servers,
        Map<String, String> environment,
        boolean offline,
        Path cacheDir) {
      this(
          spec,
          workDir,
          artifactsDir,
          runDir,
          secrets,
          command,
          dryRun,
          servers,
          environment,
          offline,
          cacheDir,
          null);
    }

    /** The same configuration with {@code sandbox} overriding the spec's (null: the spec's). */
    public Config withSandbox(dev.etask.core.spec.TaskSpec.SandboxMode mode) {
      return new Config(
          spec,
          workDir,
          artifactsDir,
          runDir,
          secrets,
          command,
          dryRun,
          servers,
          environment,
          offline,
          cacheDir,
          mode);
    }

    public Config(
        Path spec,
        Path workDir,
        Path artifactsDir,
        Path runDir,
        List<String> secrets,
        String command,
        boolean dryRun) {
      this(
          spec,
          workDir,
          artifactsDir,
          runDir,
          secrets,
          command,
          dryRun,
          Map.of(),
          System.getenv(),
          false,
          null);
    }

    public Config(Path spec, Path workDir, Path artifactsDir, Path runDir) {
      this(spec, workDir, artifactsDir, runDir, List.of(), null, false);
    }
  }

  private final RunContext c;
  private final TaskLock lock;
  private final PhaseRunner phases;
  private final FailureRecorder failures;
  private final Thread shutdownHook = new Thread(this::interrupted, "etask-interrupt");
  private volatile boolean closed;

  Engine(RunContext c, TaskLock lock) {
    this.c = c;
    this.lock = lock;
    this.failures = new FailureRecorder(c);
    this.phases = new PhaseRunner(c, failures);
  }

  /**
   * Loads the spec, takes the task's lock and reads its state; refuses a state written for another
   * spec.
   */
  public static Engine open(Config config, Listener listener) {
    return open(config, listener, Tools.real());
  }

  static Engine open(Config config, Listener listener, Tools tools) {
    SpareThreads spare = new SpareThreads();
    Warmup.start(spare); // while the spec is read
    try {
      return EngineOpening.open(config, listener, tools, spare);
    } catch (RuntimeException e) {
      spare.close();
      throw e;
    }
  }

  public TaskSpec spec() {
    return c.spec();
  }

  public Workspace workspace() {
    return c.ws();
  }

  /** Interrupts the task on SIGTERM or Ctrl-C (see {@link #interrupted}). */
  void hookInterrupts() {
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  public RunState state() {
    return c.state();
  }

  /**
   * The whole task in one process: prepare, analyze, every batch within the limits, aggregate, PR.
   */
  public Outcome run() {
    RunState state = c.state();
    state.limit(null); // budgets are per run
    prepare();
    analyze();
    while (state.git().halted() == null) {
      String limit = c.budget().limitReached(state);
      if (limit != null) {
        if (state.nextPending() != null || state.inFlight() != null) {
          state.limit(limit);
          c.out().warn("stopping early: " + limit);
          c.store().save();
        }
        break;
      }
      if (state.inFlight() == null && !generate()) {
        break;
      }
      if (state.limitHit() != null || c.interrupted()) {
        break; // the budget ran out while the generator was working, or the run was interrupted
      }
      if (state.inFlight() != null) {
        validate();
        commit();
      }
      if (state.aborted() != null) {
        break;
      }
    }
    if (!c.interrupted()) {
      run(new DeliverPhase());
    }
    Outcome outcome = aggregate();
    Outcome published = publish();
    return published != null ? published : outcome;
  }

  /**
   * Clones or fetches, makes or adopts the branch, builds the Python environment, measures the
   * baseline.
   */
  public void prepare() {
    run(new PreparePhase());
  }

  /** Resolves the targets and plans the batches; a no-op once done. */
  public void analyze() {
    run(new AnalyzePhase());
  }

  /**
   * Runs the generator on the next pending batch; false when there is none (or a limit is reached).
   */
  public boolean generate() {
    GeneratePhase phase = new GeneratePhase();
    run(phase);
    return phase.generated();
  }

  /** Runs the gates on the generated batch and records the rule book's decision. */
  public void validate() {
    run(new ValidatePhase());
  }

  /** Applies the decision: commit and push, retry with feedback, or restore the tree. */
  public void commit() {
    run(new CommitPhase());
  }

  /** Totals, labels, risk level, exit code; writes status.json and pr.md. */
  public Outcome aggregate() {
    AggregatePhase phase = new AggregatePhase(failures);
    run(phase);
    return phase.outcome();
  }

  /** Opens or updates the pull request(s); the outcome as it then stands (null: interrupted). */
  public Outcome publish() {
    run(new PublishPhase());
    if (c.interrupted()) {
      return null;
    }
    Outcome outcome = StatusFiles.outcome(c);
    if (c.state().pr().url() != null || !c.state().pr().parts().isEmpty()) {
      StatusFiles.write(c, outcome); // again, so status.json has the pr phase's time too
    }
    ActionsOutputs.write(c, outcome);
    return outcome;
  }

  private void run(Phase phase) {
    phases.run(phase, c.config().dryRun());
  }

  /** SIGTERM or Ctrl-C (see {@link InterruptHook}). */
  void interrupted() {
    if (!closed) {
      InterruptHook.stop(c);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or has run
    }
    c.runner().close();
    c.closeSpareThreads();
    c.closeNetwork();
    closeQuietly(lock);
  }

  static void closeQuietly(TaskLock lock) {
    try {
      lock.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
