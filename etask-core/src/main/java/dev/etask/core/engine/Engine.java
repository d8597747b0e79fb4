package dev.etask.core.engine;

import dev.etask.core.gates.BaselineCheck;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.GateSetup;
import dev.etask.core.gates.GateRunner;
import dev.etask.core.gates.RunnerConfig;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.generate.CommandGenerator;
import dev.etask.core.generate.Generator;
import dev.etask.core.git.Change;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Origin;
import dev.etask.core.git.Ownership;
import dev.etask.core.pr.LocalProvider;
import dev.etask.core.pr.PullRequest;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.report.FailureReport;
import dev.etask.core.report.GateTable;
import dev.etask.core.report.PrBody;
import dev.etask.core.report.StatusJson;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RiskAssessor;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.rules.Verdict;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.VenvSeal;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Runs one task's phases (DESIGN §2): each public method is one goal and works on the persisted
 * {@link RunState}, so goals can run one by one, in the lifecycle, or all at once with {@link #run()}.
 * A fatal failure is recorded (state.json, status.json, FAILURE.md) before it is rethrown.
 */
public final class Engine implements AutoCloseable {

  /**
   * Where things are: the spec, the work folder, the artifacts folder, and the folder the user ran in;
   * {@code secrets} are credentials the caller knows of (settings.xml passwords), registered with the
   * redactor before anything runs; {@code command} is how the user starts this task again (for hints).
   */
  public record Config(Path spec, Path workDir, Path artifactsDir, Path runDir, List<String> secrets, String command) {
    public Config {
      secrets = secrets == null ? List.of() : List.copyOf(secrets);
    }

    public Config(Path spec, Path workDir, Path artifactsDir, Path runDir) {
      this(spec, workDir, artifactsDir, runDir, List.of(), null);
    }
  }

  private static final List<String> BY_PRODUCTS = List.of(".coverage", ".coverage.*", "__pycache__/", "*.py[cod]",
      ".pytest_cache/", ".mypy_cache/", ".ruff_cache/", "*.egg-info/", ".eggs/", "coverage.json", "coverage.xml");
  private static final Duration GATE_TIMEOUT = Duration.ofMinutes(20);
  static final String BATCH_TRAILER = "Etask-Batch";
  static final String TARGETS_TRAILER = "Etask-Targets";
  private static final int NETWORK_ATTEMPTS = 6;

  private final Config config;
  private final TaskSpec spec;
  private final Workspace ws;
  private final Listener out;
  private final TaskLock lock;
  private final RunState state;
  private final Redactor redactor;
  private final ProcessRunner runner;
  private final Environments environments;
  private final PythonEnvironment python;
  /** The origin with its credentials, in memory only; resolved on first use. */
  private Origin origin;
  /** What the repository says about itself; detected in PREPARE. */
  private PythonEnvironment.Project project;
  private final Instant runStart = Instant.now();
  private final Thread shutdownHook = new Thread(this::interrupted, "etask-interrupt");
  private volatile boolean closed;
  private volatile boolean interrupted;
  /** Set once the interrupt hook has written the final state; guarded by {@code this}. */
  private boolean frozen;

  private Engine(Config config, TaskSpec spec, Workspace ws, Listener out, TaskLock lock, RunState state,
      Redactor redactor, Environments environments) {
    this.config = config;
    this.spec = spec;
    this.ws = ws;
    this.out = out;
    this.lock = lock;
    this.state = state;
    this.redactor = redactor;
    this.environments = environments;
    this.runner = new ProcessRunner(redactor);
    this.python = new PythonEnvironment(ws, runner, environments, spec.python().env(), List.of(), null);
  }

  /** Loads the spec, takes the task's lock and reads its state; refuses a state written for another spec. */
  public static Engine open(Config config, Listener listener) {
    TaskSpec spec = SpecLoader.load(config.spec());
    Workspace ws = Workspace.of(config.workDir(), config.artifactsDir(), spec.id());
    // every secret is known before the first line is printed, the first file written or the first child started
    Redactor redactor = Redactor.none();
    config.secrets().forEach(redactor::add);
    Environments environments = Environments.of(ws.home());
    environments.registerSecrets(redactor);
    if (spec.repository().url() != null) {
      Origin.parse(spec.repository().url()).secrets().forEach(redactor::add);
    }
    try {
      // credentials anywhere in the spec (an index URL in python.install, say)
      Environments.registerUrlCredentials(Files.readString(config.spec(), StandardCharsets.UTF_8), redactor);
    } catch (IOException e) {
      // the spec was just read; a spec that cannot be read again has no more to tell
    }
    Listener out = Listener.redacting(listener, redactor);
    TaskLock lock;
    RunState state;
    try {
      ws.createFolders();
      lock = TaskLock.acquire(ws.lockFile(), spec.id());
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(Code.TASK_LOCKED, e.getMessage(), "wait for the other run to finish");
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot create the workspace " + ws.root() + ": " + e.getMessage(),
          "check the disk and the permissions of etask.workDir", e);
    }
    try {
      state = RunState.readOrNull(ws.stateFile());
      String hash = specHash(spec);
      if (state != null && !hash.equals(state.specHash)) {
        lock.close();
        throw new EtaskException(Code.STATE_MISMATCH, "the task spec " + config.spec() + " changed since task '"
            + spec.id() + "' started (its state is in " + ws.stateFile() + "); etask does not mix two specs in one branch",
            "revert the spec, or start over with: " + command(config, "clean"));
      }
      if (state == null) {
        state = new RunState();
        state.taskId = spec.id();
        state.specHash = hash;
        state.branch = spec.branch();
        state.startedAt = Instant.now().toString();
      }
      state.runs++;
      state.finishedAt = null;
    } catch (IOException e) {
      try {
        lock.close();
      } catch (IOException ignored) {
        // the state problem is the one to report
      }
      throw new EtaskException(Code.IO_FAILED, "cannot read " + ws.stateFile() + ": " + e.getMessage(),
          "start over with " + command(config, "clean"), e);
    }
    Engine engine = new Engine(config, spec, ws, out, lock, state, redactor, environments);
    try {
      ws.createFolders();
      engine.stopOrphan();
      engine.sweepTemporaryFiles();
      if (Files.isDirectory(ws.repo().resolve(".git"))) {
        try (GitRepo git = GitRepo.open(ws.repo())) {
          engine.releaseStaleLocks(git, "an earlier, interrupted run (or a process it started)");
        }
      }
    } catch (GitException | IOException | RuntimeException e) {
      engine.close();
      if (e instanceof EtaskException x) {
        throw x;
      }
      throw new EtaskException(Code.IO_FAILED, "cannot open the workspace " + ws.root() + ": " + e.getMessage(),
          "run " + command(config, "clean") + " and start the task again", e);
    }
    Runtime.getRuntime().addShutdownHook(engine.shutdownHook);
    return engine;
  }

  private Path childFile() {
    return ws.root().resolve("generator.pid");
  }

  /** A generator left running by a run that was killed (kill -9) must not write into the clone any more. */
  private void stopOrphan() {
    Path f = childFile();
    try {
      if (Files.exists(f)) {
        String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", 2);
        String[] parts = lines[0].trim().split(" ");
        String marker = lines.length > 1 ? lines[1].trim() : "";
        if (ProcessRunner.killOrphan(Long.parseLong(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1])), marker)) {
          out.warn("stopped generator process " + parts[0] + " left running by an interrupted run");
        } else {
          out.info("the generator of an interrupted run (pid " + parts[0] + ") is no longer running: "
              + ProcessHandle.of(Long.parseLong(parts[0])).map(h -> h.isAlive() + " " + h.info()).orElse("gone"));
        }
        Files.deleteIfExists(f);
      }
    } catch (IOException | RuntimeException e) {
      out.warn("could not check for a leftover generator process: " + e.getMessage());
    }
  }

  /** Temporary files of atomic writes that a killed run left halfway (the real files are intact). */
  private void sweepTemporaryFiles() {
    for (Path folder : List.of(ws.root(), ws.reports(), ws.artifacts())) {
      try (var files = Files.list(folder)) {
        for (Path p : files.filter(f -> f.getFileName().toString().startsWith(".")
            && f.getFileName().toString().endsWith(".tmp")).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // a folder that does not exist yet has nothing to sweep
      }
    }
  }

  /** SIGTERM or Ctrl-C: stop the children, record the run as interrupted, write state and a partial status. */
  private void interrupted() {
    if (closed) {
      return;
    }
    interrupted = true;
    runner.killAll();
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        synchronized (this) {
          state.limitHit = "interrupted (SIGTERM or Ctrl-C)";
          state.finishedAt = Instant.now().toString();
          save();
          writeOutputs(outcome());
          frozen = true; // the JVM halts after this hook: no write may be caught halfway
        }
        out.warn("interrupted: state saved to " + ws.stateFile() + "; run the task again to resume");
        return;
      } catch (RuntimeException e) {
        // the main thread was changing the state; try again
      }
    }
  }

  public TaskSpec spec() {
    return spec;
  }

  public Workspace workspace() {
    return ws;
  }

  public RunState state() {
    return state;
  }

  // ----------------------------------------------------------------------------------------- run

  /** The whole task in one process: prepare, analyze, every batch within the limits, aggregate, PR. */
  public Outcome run() {
    state.limitHit = null; // budgets are per run
    prepare();
    analyze();
    while (state.halted == null) {
      String limit = limitReached();
      if (limit != null) {
        if (state.nextPending() != null || state.inFlight() != null) {
          state.limitHit = limit;
          out.warn("stopping early: " + limit);
          save();
        }
        break;
      }
      if (state.inFlight() == null && !generate()) {
        break;
      }
      if (state.limitHit != null || interrupted) {
        break; // the budget ran out while the generator was working, or the run was interrupted
      }
      if (state.inFlight() != null) {
        validate();
        commit();
      }
      if (state.aborted != null) {
        break;
      }
    }
    Outcome outcome = aggregate();
    publish();
    return outcome;
  }

  // ------------------------------------------------------------------------------------- prepare

  /** Clones or fetches, makes or adopts the branch, builds the Python environment, measures the baseline. */
  public void prepare() {
    step("prepare", () -> {
      out.phase("PREPARE", spec.id() + " — " + spec.objective());
      if (state.tampered != null) {
        throw generatorPushed(); // for good: only etask:clean starts the task over
      }
      if (state.aborted != null) {
        // a new attempt after an abort: the batches the generator gave up on are tried again
        for (BatchState b : state.batches) {
          if (b.stage == BatchState.Stage.DONE && "ABORT".equals(b.verdict) && b.commit == null) {
            b.stage = BatchState.Stage.PENDING;
            b.verdict = null;
            b.reason = null;
            b.labels = new ArrayList<>();
            b.rules = new ArrayList<>();
            b.attempts = 0;
          }
        }
        out.info("the last run aborted (" + state.aborted + "); trying again");
        state.aborted = null;
        state.generatorFailuresInARow = 0;
      }
      Origin origin = origin();
      if (state.prepared && Files.isDirectory(ws.repo().resolve(".git"))) {
        try (GitRepo git = openClone()) {
          fetch(git);
          ObjectId base = git.remoteTracking(state.base);
          checkBranchOwnership(git);
          out.info("fetched " + origin.url() + "; " + state.base + " at " + shortSha(base)
              + (base != null && !base.name().equals(state.baseSha) ? " (moved since the baseline; rebased before the next push)" : " (unchanged)"));
          if (!state.branch.equals(git.currentBranch())) {
            git.checkoutBranch(state.branch, git.resolve("refs/heads/" + state.branch));
          }
        } catch (GitException e) {
          throw gitFailure(Code.CLONE_FAILED, e, "check that the origin is reachable");
        }
        if (state.halted != null) {
          return;
        }
        ensurePython();
        out.info("baseline kept: " + baselineLine(readReport("baseline")));
        return;
      }
      ObjectId adopted = cloneAndBranch(origin);
      if (state.halted != null) {
        return; // nothing can be pushed: no environment, no baseline
      }
      ensurePython();
      measureBaseline();
      if (adopted != null) {
        // the baseline is the base's; the next batch is judged against the adopted branch's tip
        try (GitRepo git = openClone()) {
          git.checkoutBranch(spec.branch(), adopted);
        } catch (GitException e) {
          throw gitFailure(Code.CLONE_FAILED, e, "run " + command("clean") + " and try again");
        }
        GateReport tip = gates().measure("adopted", state.sourceDirs, GATE_TIMEOUT);
        writeReport("current", tip);
        out.info("adopted branch measured: " + baselineLine(tip));
      }
      state.prepared = true;
    });
  }

  /** Clones and makes the branch; returns the tip of an adopted remote branch, or null for a new branch. */
  private ObjectId cloneAndBranch(Origin origin) {
    ObjectId adopted = null;
    try {
      if (Files.exists(ws.repo())) {
        FileTrees.delete(ws.repo()); // a half-made clone from an interrupted run
      }
      long t0 = System.nanoTime();
      try (GitRepo git = network("clone", () -> {
        FileTrees.delete(ws.repo());
        return GitRepo.cloneFrom(origin, ws.repo());
      })) {
        String base = spec.repository().base();
        if (base == null) {
          base = git.remoteDefaultBranch();
          if (base == null) {
            throw new EtaskException(Code.CLONE_FAILED, "cannot tell the default branch of " + origin.url(),
                "set repository.base in the task spec");
          }
        }
        ObjectId baseId = git.remoteTracking(base);
        if (baseId == null) {
          throw new EtaskException(Code.CLONE_FAILED, "the origin " + origin.url() + " has no branch '" + base + "'",
              "set repository.base to one of the origin's branches");
        }
        state.base = base;
        state.baseSha = baseId.name();
        out.info("cloned " + origin.url() + " (" + base + " @ " + shortSha(baseId) + ") in " + secs(t0));
        ObjectId remoteBranch = git.remoteTracking(spec.branch());
        if (remoteBranch != null) {
          List<RevCommit> commits = git.commitsSince(baseId, remoteBranch);
          Ownership ownership = ownership();
          List<RevCommit> foreign = commits.stream().filter(c -> !ownership.isOurs(c)).toList();
          if (!foreign.isEmpty()) {
            git.checkoutBranch(spec.branch(), remoteBranch);
            git.sanitize(BY_PRODUCTS, ident());
            halt(foreign);
            return null;
          }
          commits.forEach(c -> state.ownCommits.add(c.name()));
          git.checkoutBranch(spec.branch(), baseId); // measured on the base first, then moved to the tip
          state.lastPushedSha = remoteBranch.name();
          state.adoptedCommits = commits.size();
          for (RevCommit c : commits) {
            for (String line : c.getFooterLines(TARGETS_TRAILER)) {
              for (String f : line.split(",")) {
                state.adoptedTargets.add(f.trim());
              }
            }
          }
          adopted = remoteBranch;
          out.info("branch " + spec.branch() + " adopted from the origin (" + commits.size() + " etask commit(s))");
        } else {
          git.checkoutBranch(spec.branch(), baseId);
          out.info("branch " + spec.branch() + " created from " + base);
        }
        git.sanitize(BY_PRODUCTS, ident());
      }
      return adopted;
    } catch (GitException e) {
      throw gitFailure(Code.CLONE_FAILED, e, "check repository.url and that the origin is reachable");
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot prepare " + ws.repo() + ": " + e.getMessage(),
          "check the disk and permissions of etask.workDir", e);
    }
  }

  /**
   * The task's clone, with its control files put back to what etask made them (a generator, or an
   * earlier run killed while one ran, may have left a hook, a filter or a remote in them).
   */
  private GitRepo openClone() throws GitException {
    GitRepo git = GitRepo.open(ws.repo(), origin());
    try {
      List<String> fixed = git.sanitize(BY_PRODUCTS, ident());
      if (!fixed.isEmpty()) {
        out.warn("put the clone's git control files back as etask made them: " + String.join(", ", fixed));
      }
      return git;
    } catch (GitException | RuntimeException e) {
      git.close();
      throw e;
    }
  }

  private GateRunner gates() {
    return new GateRunner(ws, python, runner, state.toolVersions, state.gates);
  }

  /** Whose commits are whose: the SHAs etask recorded, or on a fresh machine trailer and identity. */
  private Ownership ownership() {
    return new Ownership(spec.id(), state.ownCommits, ident());
  }

  /**
   * The origin's task branch holds commits etask did not make: etask pushes nothing from now on (it
   * would overwrite them), labels the PR and lists them, until a person resolves it.
   */
  private void halt(List<RevCommit> foreign) {
    state.foreignCommits = new ArrayList<>(foreign.stream().map(Ownership::describe).toList());
    state.halted = "the origin's " + spec.branch() + " holds " + foreign.size() + " commit(s) etask did not make; "
        + "etask pushes nothing over them";
    out.warn(state.halted + ":");
    state.foreignCommits.forEach(c -> out.warn("  " + c));
    out.warn("etask builds on nobody's commits in this version: to go on, delete " + spec.branch() + " on the origin"
        + " (the next run makes it again from etask's own work), or finish the PR by hand");
  }

  /**
   * After a fetch: when the origin's branch moved past what etask last pushed to commits it did not
   * make, halt (see {@link #halt}); when it holds only etask's commits, or is gone, carry on.
   */
  private boolean checkBranchOwnership(GitRepo git) throws GitException {
    ObjectId remote = git.remoteTracking(spec.branch());
    if (remote != null && !remote.name().equals(state.lastPushedSha)) {
      ObjectId head = git.resolve(Constants.R_HEADS + spec.branch());
      List<RevCommit> theirs = git.commitsSince(head, remote);
      Ownership ownership = ownership();
      List<RevCommit> foreign = theirs.stream().filter(c -> !ownership.isOurs(c)).toList();
      if (!foreign.isEmpty()) {
        halt(foreign);
        return false;
      }
      // only etask's commits, but is it where etask left it? (a crash after a push leaves it further on)
      ObjectId pushed = state.lastPushedSha == null ? null : ObjectId.fromString(state.lastPushedSha);
      if (pushed != null && !git.isAncestor(pushed, remote)) {
        halt(List.of(git.parse(remote)));
        state.halted = "the origin's " + spec.branch() + " was moved to " + shortSha(remote) + " by someone else (it no"
            + " longer holds " + shortSha(pushed) + ", which etask pushed); etask pushes nothing over that";
        return false;
      }
    }
    if (state.halted != null) {
      out.info("the origin's " + spec.branch() + " no longer holds commits etask did not make; carrying on");
    }
    state.halted = null;
    state.foreignCommits = new ArrayList<>();
    return true;
  }

  /**
   * Fetches; stops the task when a branch of the origin moved to a commit made inside the clone but
   * not by etask: only a process running in the clone (the generator) could have pushed it.
   */
  private void fetch(GitRepo git) throws GitException {
    Set<String> ours = new java.util.HashSet<>(state.ownCommits);
    if (state.lastPushedSha != null) {
      ours.add(state.lastPushedSha);
    }
    GitRepo.Fetched fetched = network("fetch", () -> git.fetch(state.originTips, id -> ours.contains(id.name())));
    state.originTips = new LinkedHashMap<>(fetched.tips());
    if (!fetched.pushedFromHere().isEmpty()) {
      state.tampered = "the origin's " + String.join(", ", fetched.pushedFromHere()) + " was pushed from the task's"
          + " clone, but not by etask: a generator pushed it (the clone has no remote; it used the origin's address)."
          + " etask stopped the task";
      throw generatorPushed();
    }
  }

  private EtaskException generatorPushed() {
    return new EtaskException(Code.GENERATOR_PUSHED, state.tampered, "look at that commit on the origin and revert it"
        + " there if it must go; fix the generator so it never pushes; then start over with " + command("clean"));
  }

  private void ensurePython() {
    long t0 = System.nanoTime();
    String interpreter = spec.python().interpreter();
    PythonEnvironment.Project detected = python.detect(interpreter, spec.python());
    project = detected;
    state.sourceDirs = new ArrayList<>(detected.source());
    state.testDirs = new ArrayList<>(detected.tests());
    state.gates = GateSetup.of(spec.qualityGates(), detected);
    boolean fresh = !Files.exists(ws.venv().resolve(".etask-env"));
    if (fresh) {
      out.info("building the Python environment (" + (python.uv().isPresent() ? "uv" : "pip")
          + "): " + String.join(" ", detected.install()) + (detected.install().isEmpty() ? "" : " + ")
          + String.join(" ", detected.tools().entrySet().stream().map(e -> e.getKey() + e.getValue()).toList())
          + " …");
    }
    detected.toolSources().forEach((tool, where) -> {
      if (!where.equals("etask's default")) {
        out.info(tool + detected.tools().get(tool) + " as " + where + " asks");
      }
    });
    state.toolVersions = new LinkedHashMap<>(python.ensure(interpreter, detected, detected.tools()));
    out.info("python environment " + (fresh ? "built" : "reused") + " in " + secs(t0) + ": "
        + String.join(", ", state.toolVersions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())
        + "; sources " + detected.source() + ", tests " + detected.tests());
    out.info(state.gates.describe(spec.qualityGates(), detected));
    if (detected.source().isEmpty()) {
      out.warn("no Python source folder found: coverage and mypy cannot measure anything. Set python.source in the"
          + " task spec.");
    }
  }

  private void measureBaseline() {
    long t0 = System.nanoTime();
    out.info("measuring the baseline (ruff, " + state.gates.runner().display() + " + coverage, mypy) …");
    GateReport baseline = gates().measure("baseline", state.sourceDirs, GATE_TIMEOUT);
    Optional<BaselineCheck.Failure> unusable = BaselineCheck.check(baseline, project, state.gates, state.base,
        state.gates.describe(spec.qualityGates(), project));
    if (unusable.isPresent()) {
      throw new EtaskException(Code.BASELINE_FAILED, unusable.get().message(), unusable.get().nextStep()
          + "; then run the task again (log: " + ws.logs().resolve("baseline-gates.log") + ")");
    }
    if (!project.hasTests()) {
      out.warn("the repository has no tests yet: the baseline is no tests" + (baseline.coverage() == null ? ""
          : " and " + GateTable.pct(baseline.coveragePercent()) + " coverage"));
    }
    baseline.problems().forEach(p -> out.warn("baseline: " + p));
    BaselineCheck.missingModule(baseline).ifPresent(m -> out.warn("tests on " + state.base + " import '" + m
        + "', which is not installed: declare it where the repository keeps its test dependencies ("
        + String.join(", ", project.dependencyFiles()) + ") or add it to python.install"));
    writeReport("baseline", baseline);
    writeReport("current", baseline);
    out.info("baseline in " + secs(t0) + ": " + baselineLine(baseline));
    if (!baseline.tests().failing().isEmpty()) {
      out.warn(baseline.tests().failing().size() + " test(s) already fail on " + state.base
          + "; they do not block batches and are reported");
    }
  }

  // ------------------------------------------------------------------------------------- analyze

  /** Resolves the targets and plans the batches; a no-op once done. */
  public void analyze() {
    step("analyze", () -> {
      if (halted()) {
        return;
      }
      requirePrepared();
      if (state.analyzed) {
        return;
      }
      out.phase("ANALYZE", "");
      List<String> tracked;
      try (GitRepo git = openClone()) {
        tracked = git.trackedFiles();
      } catch (GitException e) {
        throw gitFailure(Code.IO_FAILED, e, "run " + command("clean") + " and try again");
      }
      List<String> targets = tracked.stream()
          .filter(p -> spec.target().include().stream().anyMatch(g -> g.matches(p)))
          .filter(p -> spec.target().exclude().stream().noneMatch(g -> g.matches(p)))
          .sorted().toList();
      if (targets.isEmpty()) {
        throw new EtaskException(Code.NO_TARGETS, "target.include " + spec.target().include() + " (minus exclude "
            + spec.target().exclude() + ") matches none of the " + tracked.size() + " tracked files on " + state.base
            + " (e.g. " + String.join(", ", tracked.stream().filter(p -> p.endsWith(".py")).limit(5).toList()) + ")",
            "fix target.include in " + config.spec() + "; globs are relative to the repository root, '**' crosses folders");
      }
      state.batches = plan(targets, spec.strategy().batchMode());
      for (BatchState b : state.batches) {
        if (!state.adoptedTargets.isEmpty() && state.adoptedTargets.containsAll(b.files)) {
          finish(b, Decision.of(Verdict.ACCEPT, "already on " + spec.branch() + " (adopted from the origin)"));
          b.attempts = 0;
        }
      }
      state.analyzed = true;
      out.info(targets.size() + " target file(s) → " + state.batches.size() + " batch(es) ("
          + spec.strategy().batchMode().name().toLowerCase(Locale.ROOT) + ")");
    });
  }

  static List<BatchState> plan(List<String> targets, TaskSpec.BatchMode mode) {
    List<List<String>> groups = new ArrayList<>();
    switch (mode) {
      case ALL -> groups.add(targets);
      case PER_DIRECTORY -> {
        Map<String, List<String>> byDir = new TreeMap<>();
        for (String t : targets) {
          int slash = t.lastIndexOf('/');
          byDir.computeIfAbsent(slash < 0 ? "" : t.substring(0, slash), k -> new ArrayList<>()).add(t);
        }
        groups.addAll(byDir.values());
      }
      default -> targets.forEach(t -> groups.add(List.of(t)));
    }
    List<BatchState> batches = new ArrayList<>();
    for (List<String> g : groups) {
      batches.add(new BatchState(batches.size(), g));
    }
    return batches;
  }

  // ------------------------------------------------------------------------------------ generate

  /** Runs the generator on the next pending batch; false when there is none (or the limits are reached). */
  public boolean generate() {
    boolean[] generated = {false};
    step("generate", () -> {
      if (halted()) {
        return;
      }
      requireAnalyzed();
      BatchState inFlight = state.inFlight();
      if (inFlight != null) {
        out.info("batch " + label(inFlight) + " is already generated; run etask:validate and etask:commit next");
        return;
      }
      BatchState batch = state.nextPending();
      if (batch == null) {
        out.info("every batch is done");
        return;
      }
      if (state.committedCount() >= spec.limits().maxCommits()) {
        state.limitHit = "max_commits (" + spec.limits().maxCommits() + ") reached";
        out.warn("not generating batch " + label(batch) + ": " + state.limitHit);
        return;
      }
      generateBatch(batch);
      generated[0] = true;
    });
    return generated[0];
  }

  private void generateBatch(BatchState batch) {
    out.phase("GENERATE", "batch " + label(batch) + ": " + String.join(", ", batch.files));
    long t0 = System.nanoTime();
    try (GitRepo git = openClone()) {
      releaseStaleLocks(git, "an earlier step");
      git.restore();
      batch.attempts++;
      ws.freshScratch();
      ws.freshHome();
      Path log = ws.logs().resolve("batch-" + (batch.index + 1) + "-generate.log");
      Map<String, String> env = python.forGenerator(environments.forGenerator(spec.generator().env()), ws.scratch());
      // every process the generator starts inherits this: the ones that escape its process group are found by it
      String runId = "ETASK_RUN_ID=" + java.util.UUID.randomUUID();
      env.put("ETASK_RUN_ID", runId.substring(runId.indexOf('=') + 1));
      Generator generator = new CommandGenerator(spec.generator().command(), spec.specDir(), ws.scratch(), env, runner);
      Duration timeout = min(spec.generator().timeout(), remainingBudget());
      Map<String, byte[]> control = git.controlFiles();
      Map<String, String> seal = etasksOwnFiles();
      Map<Path, byte[]> reports = keptReports();
      ObjectId headBefore = git.head();
      runner.onStart(p -> {
        try {
          // the start instant tells the orphan apart from a later process that reuses its pid
          dev.etask.core.workspace.AtomicFiles.write(childFile(), p.pid() + " "
              + p.info().startInstant().orElse(Instant.now()).toEpochMilli() + "\n" + batch.files.get(0) + "\n");
        } catch (IOException e) {
          out.warn("cannot record the generator's pid: " + e.getMessage());
        }
      });
      Generator.Outcome result;
      try {
        result = generator.generate(new Generator.Request(spec.id(), redact(spec.objective()), batch.files,
            batch.attempts, redact(batch.feedback), ws.repo(), ws.promptFile(), log, timeout));
      } finally {
        runner.onStart(null);
        try {
          Files.deleteIfExists(childFile());
        } catch (IOException e) {
          out.warn("cannot remove " + childFile() + ": " + e.getMessage());
        }
      }
      batch.durationMs += Duration.ofNanos(System.nanoTime() - t0).toMillis();
      List<String> strays = ProcessRunner.killMarked(runId);
      if (!strays.isEmpty()) {
        out.warn("stopped what the generator left running outside its process group: " + String.join(", ", strays));
      }
      ws.freshHome(); // what the generator left in its HOME (tool configs) never reaches the gates
      releaseStaleLocks(git, "the generator of batch " + label(batch));
      List<String> tampered = new ArrayList<>(GitRepo.changedControlFiles(control, git.controlFiles()));
      if (!headBefore.equals(git.head()) || !spec.branch().equals(git.currentBranch())) {
        tampered.add("HEAD moved to " + shortSha(git.head()) + " on " + git.currentBranch());
        git.restoreControlFiles(control);
        git.checkoutBranch(spec.branch(), headBefore); // the generator's commits never stay on the branch
      }
      if (!tampered.isEmpty()) {
        git.restoreControlFiles(control);
        git.restore();
        finish(batch, Decision.of(Verdict.ROLLBACK, "the generator changed the clone's git control files ("
            + String.join(", ", tampered) + "); they were restored"));
        out.warn("batch " + label(batch) + " rolled back: " + batch.reason);
        return;
      }
      List<String> changed = VenvSeal.changes(seal, etasksOwnFiles());
      if (!changed.isEmpty()) {
        git.restore();
        boolean venv = changed.stream().anyMatch(c -> c.startsWith("venv/"));
        finish(batch, Decision.of(Verdict.ROLLBACK, "the generator changed etask's own files ("
            + String.join(", ", changed.subList(0, Math.min(5, changed.size())))
            + (changed.size() > 5 ? ", …" : "") + ")" + (venv ? "; the gates' virtualenv was rebuilt" : "")));
        out.warn("batch " + label(batch) + " rolled back: " + batch.reason);
        FileTrees.delete(ws.cache()); // the tools' caches are rebuilt
        Files.createDirectories(ws.cache());
        for (Map.Entry<Path, byte[]> r : reports.entrySet()) {
          dev.etask.core.workspace.AtomicFiles.write(r.getKey(), r.getValue()); // the reports etask reads, as it wrote them
        }
        if (venv) {
          Files.deleteIfExists(ws.venv().resolve(".etask-env"));
          ensurePython();
        }
        return;
      }
      if (interrupted) {
        batch.attempts--; // an interrupted attempt does not count; the next run redoes the batch
        git.restore();
        return;
      }
      if (!result.ok() && result.timedOut() && remainingBudget().isZero()) {
        batch.attempts--; // an interrupted attempt does not count
        git.restore();
        state.limitHit = "max_runtime_minutes (" + spec.limits().maxRuntime().toSeconds() + "s) reached";
        out.warn("the time budget ran out during batch " + label(batch) + ": its generator was stopped, the tree"
            + " restored, and the batch left for the next run");
        return;
      }
      if (!result.ok()) {
        state.generatorFailuresInARow++;
        git.restore();
        boolean giveUp = state.generatorFailuresInARow >= spec.strategy().maxGeneratorFailures();
        String why = "generator " + (result.timedOut() ? "timed out after " + timeout.toSeconds() + "s"
            : "failed (exit " + result.exitCode() + ")") + ": " + PythonEnvironment.lastLines(result.output(), 3)
            + " (log: " + log + ")";
        out.warn(why);
        if (!giveUp && batch.attempts < spec.strategy().maxAttemptsPerBatch()) {
          batch.feedback = why;
          return;
        }
        Decision d = new RuleBook(spec).generatorFailed(why, giveUp);
        finish(batch, d);
        if (giveUp) {
          state.aborted = "the generator failed " + state.generatorFailuresInARow + " time(s) in a row";
          out.warn("aborting: " + state.aborted);
        }
        return;
      }
      state.generatorFailuresInARow = 0;
      List<Change> changes = git.changes();
      List<String> violations = violations(batch, changes);
      if (!violations.isEmpty()) {
        git.restore();
        finish(batch, Decision.of(Verdict.ROLLBACK, "changed files outside the allowlist (the batch's files and "
            + "target.writable): " + String.join(", ", violations)));
        out.warn("batch " + label(batch) + " rolled back: " + batch.reason);
        return;
      }
      if (changes.isEmpty()) {
        finish(batch, Decision.of(Verdict.SKIP, "the generator changed nothing"));
        out.info("batch " + label(batch) + ": the generator changed nothing");
        return;
      }
      git.stage(changes);
      batch.changedFiles = changes.stream().map(c -> c.path() + " (" + c.kind().name().toLowerCase(Locale.ROOT) + ")")
          .toList();
      batch.stage = BatchState.Stage.GENERATED;
      out.info("generator finished in " + secs(t0) + "; changed " + String.join(", ", batch.changedFiles));
    } catch (GitException e) {
      throw gitFailure(Code.IO_FAILED, e, "run " + command("clean") + " and try again");
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot prepare the generator's folders in " + ws.root() + ": "
          + e.getMessage(), "check the disk and permissions of etask.workDir", e);
    }
  }

  /** The reports etask reads again (baseline, current, …), as it wrote them: put back if a generator changes them. */
  private Map<Path, byte[]> keptReports() throws IOException {
    Map<Path, byte[]> kept = new LinkedHashMap<>();
    for (Map.Entry<String, String> r : state.reportSums.entrySet()) {
      Path file = ws.reports().resolve(r.getKey() + ".json");
      if (Files.isRegularFile(file)) {
        byte[] bytes = Files.readAllBytes(file);
        if (sha256(bytes).equals(r.getValue())) {
          kept.put(file, bytes);
        }
      }
    }
    return kept;
  }

  private static final Set<String> WORKSPACE_ENTRIES = Set.of("repo", "venv", "reports", "cache", "logs", "home",
      "scratch", "state.json", ".lock", Workspace.MARKER, "generator.pid");

  /**
   * A seal of what etask keeps beside the clone that decides what the gates see: the virtualenv (see
   * {@link VenvSeal}), the tools' caches, the reports, and which entries the workspace holds at all
   * (a {@code pytest.ini} or {@code ruff.toml} dropped above the clone is no etask file).
   */
  private Map<String, String> etasksOwnFiles() throws IOException {
    Map<String, String> seal = new java.util.TreeMap<>();
    VenvSeal.of(ws.venv()).forEach((k, v) -> seal.put("venv/" + k, v));
    FileTrees.delete(ws.cache().resolve("pycache")); // bytecode the gates would load: never kept across attempts
    VenvSeal.stat(ws.root(), ws.cache()).forEach(seal::put);
    VenvSeal.stat(ws.root(), ws.reports()).forEach(seal::put);
    try (var entries = Files.list(ws.root())) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (!WORKSPACE_ENTRIES.contains(name) && !(name.startsWith(".") && name.endsWith(".tmp"))) {
          seal.put(name, "stranger");
          FileTrees.delete(p);
        }
      }
    }
    return seal;
  }

  /**
   * A git lock file ({@code .git/index.lock}, …) that {@code leftBy} left behind blocks every later
   * git operation. When no process holds it any more, remove it and say so; when one does, wait a
   * little, then stop naming that process.
   */
  private void releaseStaleLocks(GitRepo git, String leftBy) throws GitException {
    for (Path lock : git.lockFiles()) {
      if (!ProcessRunner.canSeeHolders()) {
        throw new EtaskException(Code.REPO_LOCKED, leftBy + " left git's lock file " + lock + ", and on this system"
            + " etask cannot tell whether a git process still holds it", "when no git process runs in " + ws.repo()
            + ", remove the file and run the task again");
      }
      List<String> holders = ProcessRunner.holdersOf(lock);
      for (int i = 0; i < 50 && !holders.isEmpty(); i++) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        holders = ProcessRunner.holdersOf(lock);
      }
      if (!holders.isEmpty()) {
        throw new EtaskException(Code.REPO_LOCKED, "git's lock file " + lock + " is held by process "
            + String.join(", ", holders) + ", so the clone cannot be changed",
            "let that process finish or stop it (kill " + holders.get(0).split(" ")[0] + "), then run the task again");
      }
      String when;
      try {
        when = Files.getLastModifiedTime(lock).toInstant().toString();
        Files.deleteIfExists(lock);
      } catch (IOException e) {
        throw new EtaskException(Code.REPO_LOCKED, "cannot remove the stale git lock file " + lock + ": "
            + e.getMessage(), "remove it by hand, then run the task again", e);
      }
      out.warn(leftBy + " left git's lock file " + ws.repo().relativize(lock) + " behind (written " + when
          + "); no process holds it, so etask removed it");
    }
  }

  /** Closes a batch that never reached the gates. */
  private static void finish(BatchState batch, Decision d) {
    batch.verdict = d.verdict().name();
    batch.reason = d.reason();
    batch.rules = new ArrayList<>(d.rules());
    batch.labels = new ArrayList<>(d.labels());
    batch.firstTryPass = d.verdict().commits() && batch.attempts == 1;
    batch.stage = BatchState.Stage.DONE;
  }

  private List<String> violations(BatchState batch, List<Change> changes) {
    List<String> bad = new ArrayList<>();
    Path root = ws.repo().toAbsolutePath().normalize();
    for (Change c : changes) {
      String p = c.path();
      boolean allowed = batch.files.contains(p) || spec.target().writable().stream().anyMatch(g -> g.matches(p));
      if (!allowed) {
        bad.add(p);
        continue;
      }
      boolean named = RunnerConfig.namedExactly(p, spec.target().writable())
          || RunnerConfig.namedExactly(p, spec.target().include());
      if (RunnerConfig.isRunnerConfig(p) && !named) {
        bad.add(p + " (it configures the test runner or the tools: only a path named exactly in target.writable,"
            + " never a glob, allows it)");
        continue;
      }
      Path file = root.resolve(p);
      if (!named && p.endsWith(".py") && c.kind() != Change.Kind.DELETED && Files.isRegularFile(file)
          && !Files.isSymbolicLink(file)) {
        try {
          if (RunnerConfig.configuresTheRunner(Files.readString(file, StandardCharsets.ISO_8859_1))) {
            bad.add(p + " (it loads pytest plugins or defines pytest hooks, which configures the test runner as a"
                + " conftest.py does: only a path named exactly in target.writable allows it)");
            continue;
          }
        } catch (IOException e) {
          bad.add(p + " (unreadable: " + e.getMessage() + ")");
          continue;
        }
      }
      if (Files.isSymbolicLink(file)) {
        try {
          Path target = file.getParent().resolve(Files.readSymbolicLink(file)).normalize();
          if (!target.startsWith(root) || target.startsWith(root.resolve(".git"))) {
            bad.add(p + " (symlink to " + target + ")");
          }
        } catch (IOException e) {
          bad.add(p + " (unreadable symlink)");
        }
      }
    }
    return bad;
  }

  // ------------------------------------------------------------------------------------ validate

  /** Runs the gates on the generated batch and records the rule book's decision. */
  public void validate() {
    step("validate", () -> {
      if (halted()) {
        return;
      }
      requireAnalyzed();
      BatchState batch = state.inFlight();
      if (batch == null || batch.stage != BatchState.Stage.GENERATED) {
        out.info(batch == null ? "no generated batch to validate; run etask:generate first"
            : "batch " + label(batch) + " is already validated; run etask:commit next");
        return;
      }
      out.phase("VALIDATE", "batch " + label(batch));
      long t0 = System.nanoTime();
      GateReport before;
      try {
        before = readReport("current");
      } catch (EtaskException e) {
        if (e.code() != Code.REPORT_TAMPERED) {
          throw e;
        }
        rejectAfterTampering(batch, e.getMessage());
        return;
      }
      String name = "batch-" + (batch.index + 1);
      GateReport after = gates().measure(name, state.sourceDirs,
          min(GATE_TIMEOUT, remainingBudget().plusMinutes(1)));
      writeReport(name, after);
      DiffStats diff;
      List<String> testFiles;
      long runnerConfigs;
      try (GitRepo git = openClone()) {
        diff = git.stagedDiff();
        List<Change> changes = git.changes();
        runnerConfigs = changes.stream().filter(c -> RunnerConfig.isRunnerConfig(c.path())).count();
        testFiles = changes.stream().filter(c -> c.kind() != Change.Kind.DELETED).map(Change::path)
            .filter(p -> p.endsWith(".py") && spec.git().testFiles().stream().anyMatch(g -> g.matches(p))).toList();
      } catch (GitException e) {
        throw gitFailure(Code.IO_FAILED, e, "run " + command("clean") + " and try again");
      }
      Map<Metric, Double> metrics = Measurements.compare(before, after, diff);
      metrics.put(Metric.TEST_CONFIG_FILES, (double) runnerConfigs);
      List<String> newProblems = Measurements.newProblems(before, after);
      RuleBook book = new RuleBook(spec);
      Decision decision = book.decide(metrics, newProblems);
      List<String> quality = new ArrayList<>();
      if (decision.verdict().commits() && !testFiles.isEmpty()) {
        List<String> problems = new ArrayList<>(newProblems);
        quality = testQuality(batch, name, testFiles, after, metrics, problems);
        decision = book.decide(metrics, problems);
        newProblems = problems;
      }
      batch.metrics = byKey(metrics);
      batch.newFindings = new ArrayList<>(quality);
      Measurements.newFindingList(before.lint(), after.lint()).forEach(f -> batch.newFindings.add("lint  " + f));
      Measurements.newFindingList(before.types(), after.types()).forEach(f -> batch.newFindings.add("type  " + f));
      int shown = 0;
      for (String f : batch.newFindings) {
        if (shown++ == 20) {
          out.warn("new: … and " + (batch.newFindings.size() - 20) + " more (status.json has them all)");
          break;
        }
        out.warn("new: " + f);
      }
      batch.failureExcerpt = metrics.getOrDefault(Metric.NEW_TEST_FAILURES, 0.0) > 0 || !newProblems.isEmpty()
          ? (after.tests().failureExcerpt().isEmpty() ? String.join("\n", newProblems) : after.tests().failureExcerpt())
          : null;
      batch.verdict = decision.verdict().name();
      batch.reason = decision.reason();
      batch.rules = new ArrayList<>(decision.rules());
      batch.labels = new ArrayList<>(decision.labels());
      batch.stage = BatchState.Stage.VALIDATED;
      batch.durationMs += Duration.ofNanos(System.nanoTime() - t0).toMillis();
      GateTable.text(GateTable.rows(before, after, metrics, decision.rules())).forEach(l -> out.info("  " + l));
      out.info("decision: " + decision.verdict() + " — " + decision.reason()
          + (decision.labels().isEmpty() ? "" : " [" + String.join(", ", decision.labels()) + "]")
          + " (gates took " + secs(t0) + ")");
    });
  }

  /**
   * Do the batch's new tests really test? Weak tests (no real assertion; with the mutation check,
   * tests that still pass when the target returns None), tests the suite never collects, and flaky
   * tests (run again). Puts the counts into {@code metrics}, a check that could not run into
   * {@code problems}, and returns the findings, one line each.
   */
  private List<String> testQuality(BatchState batch, String name, List<String> testFiles, GateReport after,
      Map<Metric, Double> metrics, List<String> problems) {
    TaskSpec.QualityGates g = spec.qualityGates();
    TestQuality q = new TestQuality(ws, python, runner, state.gates);
    List<String> weak = new ArrayList<>();
    if (g.checkAssertions()) {
      try {
        weak.addAll(q.weakTests(testFiles));
      } catch (TestQuality.CheckFailed e) {
        problems.add("test quality: " + e.getMessage());
      }
    }
    // at least one run, to see which new tests the suite collects
    TestQuality.Reruns reruns = q.rerun(name, testFiles, Math.max(1, g.flakyReruns()), after.tests(),
        min(GATE_TIMEOUT, remainingBudget().plusMinutes(1)));
    List<String> flaky = g.flakyReruns() == 0 ? List.of() : reruns.flaky();
    List<String> uncollected = g.checkAssertions() ? reruns.uncollected() : List.of();
    if (g.mutationCheck()) {
      for (String target : batch.files) {
        if (target.endsWith(".py") && testFiles.stream().noneMatch(target::equals)) {
          List<String> survivors = q.survivingMutation(name, target, testFiles,
              min(GATE_TIMEOUT, remainingBudget().plusMinutes(1)));
          if (!survivors.isEmpty()) {
            weak.add(String.join(", ", survivors) + ": still pass when every value " + target
                + " returns is replaced by None");
          }
        }
      }
    }
    metrics.put(Metric.WEAK_TESTS, (double) weak.size());
    metrics.put(Metric.UNCOLLECTED_TESTS, (double) uncollected.size());
    metrics.put(Metric.FLAKY_TESTS, (double) flaky.size());
    List<String> findings = new ArrayList<>();
    weak.forEach(w -> findings.add("weak  " + w));
    uncollected.forEach(u -> findings.add("weak  " + u + ": never collected by the repository's test run (check"
        + " testpaths / python_files)"));
    flaky.forEach(f -> findings.add("flaky " + f));
    out.info("new tests: " + weak.size() + " weak, " + uncollected.size() + " never collected by the suite"
        + (g.flakyReruns() > 0 ? ", " + flaky.size() + " flaky in " + g.flakyReruns() + " more runs" : ""));
    return findings;
  }

  /**
   * The report of the state before the batch was changed after etask wrote it: nothing measured
   * against it can be trusted. The batch is rolled back and the branch's tip measured again.
   */
  private void rejectAfterTampering(BatchState batch, String why) {
    try (GitRepo git = openClone()) {
      git.restore();
    } catch (GitException e) {
      throw gitFailure(Code.IO_FAILED, e, "run " + command("clean") + " and try again");
    }
    finish(batch, Decision.of(Verdict.ROLLBACK, why));
    batch.firstTryPass = false;
    out.warn("batch " + label(batch) + " rolled back: " + why);
    GateReport tip = gates().measure("current", state.sourceDirs, GATE_TIMEOUT);
    writeReport("current", tip);
    out.info("measured " + spec.branch() + " again: " + baselineLine(tip));
  }

  // -------------------------------------------------------------------------------------- commit

  /** Applies the decision: commit and push, retry with feedback, or restore the tree. */
  public void commit() {
    step("commit", () -> {
      if (halted()) {
        return;
      }
      requireAnalyzed();
      BatchState batch = state.inFlight();
      if (batch == null || batch.stage != BatchState.Stage.VALIDATED) {
        out.info(batch == null ? "no validated batch to commit; run etask:generate and etask:validate first"
            : "batch " + label(batch) + " is not validated yet; run etask:validate first");
        return;
      }
      out.phase("COMMIT", "batch " + label(batch) + ": " + batch.verdict.toLowerCase(Locale.ROOT));
      Verdict verdict = Verdict.valueOf(batch.verdict);
      try (GitRepo git = openClone()) {
        if (!verdict.commits()) {
          git.restore();
          if (verdict != Verdict.ABORT && batch.attempts < spec.strategy().maxAttemptsPerBatch()) {
            batch.feedback = batch.reason + (batch.failureExcerpt == null ? "" : "\n\n" + batch.failureExcerpt)
                + (batch.newFindings.isEmpty() ? "" : "\n\n" + String.join("\n", batch.newFindings));
            batch.stage = BatchState.Stage.PENDING;
            out.info("batch " + label(batch) + " rejected (" + batch.reason + "); attempt " + (batch.attempts + 1)
                + " of " + spec.strategy().maxAttemptsPerBatch() + " gets the failure as feedback");
            return;
          }
          batch.firstTryPass = false;
          batch.stage = BatchState.Stage.DONE;
          if (verdict == Verdict.ABORT) {
            state.aborted = "batch " + label(batch) + ": " + batch.reason;
          }
          out.info("batch " + label(batch) + " left out of the branch: " + batch.reason);
          return;
        }
        ObjectId sha = committedEarlier(git, batch);
        if (sha == null) {
          Map<String, String> trailers = new LinkedHashMap<>();
          trailers.put(BATCH_TRAILER, String.valueOf(batch.index + 1));
          trailers.put(TARGETS_TRAILER, String.join(", ", batch.files));
          sha = git.commit(commitMessage(batch), spec.id(), trailers, ident());
        } else {
          out.info("batch " + label(batch) + " was committed by an interrupted run: " + shortSha(sha));
        }
        state.ownCommits.add(sha.name());
        batch.commit = sha.name();
        batch.firstTryPass = batch.attempts == 1;
        batch.stage = BatchState.Stage.DONE;
        writeReport("current", readReport("batch-" + (batch.index + 1)));
        out.info("committed " + shortSha(sha) + " " + commitSubject(batch));
        save();
        push(git);
      } catch (GitException e) {
        throw gitFailure(Code.PUSH_FAILED, e, "check that the origin is reachable and accepts pushes to "
            + spec.branch() + "; the commit is kept in " + ws.repo() + " and the next run pushes it");
      }
    });
  }

  /** The HEAD commit when an earlier, interrupted run already committed this batch (and the index is clean). */
  private ObjectId committedEarlier(GitRepo git, BatchState batch) throws GitException {
    RevCommit head = git.headCommit();
    if (head != null && GitRepo.isTaskCommit(head, spec.id()) && head.getCommitterIdent().getName().equals(ident().getName())
        && head.getFooterLines(BATCH_TRAILER).contains(String.valueOf(batch.index + 1)) && git.changes().isEmpty()) {
      return head.getId();
    }
    return null;
  }

  /** Fetch, rebase on a moved base, check the lease, push. */
  private void push(GitRepo git) throws GitException {
    fetch(git);
    if (!checkBranchOwnership(git)) {
      out.warn("nothing pushed: " + state.halted);
      return; // never over someone else's commits; the batch stays committed in the clone
    }
    ObjectId base = git.remoteTracking(state.base);
    if (base != null && !base.name().equals(state.baseSha)) {
      List<String> conflicts = git.rebase(base);
      if (conflicts.isEmpty()) {
        out.info(state.base + " moved to " + shortSha(base) + "; rebased " + spec.branch() + " on it");
        state.baseSha = base.name();
        git.commitsSince(base, git.head()).forEach(c -> state.ownCommits.add(c.name()));
      } else {
        state.conflicts = new ArrayList<>(new LinkedHashSet<>(conflicts));
        state.taskLabels.add("needs-manual-review");
        out.warn(state.base + " moved and the rebase conflicts in " + conflicts + "; pushing without it (needs-manual-review)");
      }
    }
    // only etask's commits are on the origin's branch (checked above): replace them, under a lease
    ObjectId remote = git.remoteTracking(spec.branch());
    ObjectId head = git.head();
    boolean replace = remote != null && !git.isAncestor(remote, head);
    network("push", () -> {
      git.push(spec.branch(), replace ? remote : null);
      return null;
    });
    state.lastPushedSha = head.name();
    out.info("pushed " + spec.branch() + " @ " + shortSha(head) + (replace ? " (replacing etask's earlier commits after a rebase)" : ""));
  }

  // ----------------------------------------------------------------------------------- aggregate

  /** Totals, labels, risk level, exit code; writes status.json and pr.md. */
  public Outcome aggregate() {
    Outcome[] result = new Outcome[1];
    step("aggregate", () -> {
      if (state.fatal == null && state.aborted != null && state.committedCount() == 0) {
        // aborted with nothing delivered: a fatal failure, reported like one (FAILURE.md, failure PR)
        EtaskException e = new EtaskException(Code.GENERATOR_FAILED, "the task aborted before any batch was accepted: "
            + state.aborted, "run the generator by hand on one file (see the batch logs in " + ws.logs()
            + ") and fix it, then run the task again");
        recordFatal("generate", e);
      }
      result[0] = outcome();
      state.finishedAt = Instant.now().toString();
      writeOutputs(result[0]);
      out.phase("AGGREGATE", "exit " + result[0].exitCode() + " · " + result[0].summary());
    });
    return result[0];
  }

  private Outcome outcome() {
    GateReport baseline = state.prepared ? readReport("baseline") : null;
    GateReport current = state.prepared ? readReport("current") : null;
    Map<String, Double> totals = new LinkedHashMap<>();
    Map<Metric, Double> metrics = new EnumMap<>(Metric.class);
    if (baseline != null && current != null) {
      metrics.putAll(Measurements.compare(baseline, current, null));
      int files = 0;
      int lines = 0;
      for (BatchState b : state.batches) {
        if (b.committed()) {
          files += b.metrics.getOrDefault("diff_files", 0.0).intValue();
          lines += b.metrics.getOrDefault("diff_lines", 0.0).intValue();
        }
      }
      metrics.put(Metric.DIFF_FILES, (double) files);
      metrics.put(Metric.DIFF_LINES, (double) lines);
      totals.putAll(byKey(metrics));
      totals.put("tests_passed_before", (double) baseline.tests().passed());
      totals.put("tests_failing_before", (double) baseline.tests().failing().size());
      totals.put("tests_failing", (double) current.tests().failing().size());
      if (baseline.lint() != null) {
        totals.put("lint_errors_before", (double) baseline.lint().size());
      }
      if (baseline.types() != null) {
        totals.put("type_errors_before", (double) baseline.types().size());
      }
    }
    long commits = state.committedCount() + state.adoptedCommits;
    int totalFiles = state.batches.stream().mapToInt(b -> b.files.size()).sum();
    int doneFiles = state.batches.stream().filter(b -> b.stage == BatchState.Stage.DONE).mapToInt(b -> b.files.size()).sum();
    boolean partial = state.fatal == null && state.analyzed && doneFiles < totalFiles;
    double ratio = totalFiles == 0 ? 0 : Math.round(1000.0 * doneFiles / totalFiles) / 1000.0;

    Set<String> riskLabels = new LinkedHashSet<>();
    for (BatchState b : state.batches) {
      if (b.stage == BatchState.Stage.DONE) {
        riskLabels.addAll(b.labels);
      }
    }
    riskLabels.addAll(state.taskLabels);
    if (!state.foreignCommits.isEmpty()) {
      riskLabels.add("human-edited");
      riskLabels.add("needs-manual-review");
    }
    if (partial) {
      riskLabels.add("partial");
    }
    if (state.aborted != null) {
      riskLabels.add("aborted");
    }
    String risk = RiskAssessor.level(spec, metrics, List.copyOf(riskLabels));
    Set<String> labels = new LinkedHashSet<>(spec.pr().labels());
    labels.addAll(riskLabels);
    boolean allAccepted = state.batches.stream().allMatch(b -> "ACCEPT".equals(b.verdict));
    int exit;
    if (state.fatal != null || (state.aborted != null && commits == 0)) {
      exit = 1;
    } else if (partial || !allAccepted || !riskLabels.isEmpty() || risk.equals("high")) {
      exit = 2;
    } else {
      exit = 0;
    }
    String summary = state.fatal != null ? "failed in " + state.fatal.phase() + ": " + state.fatal.code()
        : commits + " commit(s), " + state.doneCount() + "/" + state.batches.size() + " batches done"
            + (totals.containsKey("coverage_delta") ? ", coverage " + GateTable.pct(totals.get("coverage_before"))
                + " → " + GateTable.pct(totals.get("coverage_after")) : "")
            + ", risk " + risk + (riskLabels.isEmpty() ? "" : " " + riskLabels);
    return new Outcome(exit, partial, ratio, risk, List.copyOf(labels), List.copyOf(riskLabels), commits, totals,
        summary);
  }

  private synchronized void writeOutputs(Outcome o) {
    if (frozen) {
      return;
    }
    try {
      writeJson(ws.statusFile(), StatusJson.model(spec, state, o));
      if (state.prepared || state.halted != null) {
        dev.etask.core.workspace.AtomicFiles.write(ws.prBodyFile(), redact(PrBody.render(spec, state, o, command("run"))));
      }
      if (state.fatal == null) {
        // this run's outcome replaces an earlier failure: its report must not linger beside it
        Files.deleteIfExists(ws.failureFile());
        Files.deleteIfExists(ws.traceFile());
      }
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot write " + ws.statusFile() + ": " + e.getMessage(),
          "check the disk and permissions of etask.artifactsDir", e);
    }
  }

  // ------------------------------------------------------------------------------------------ pr

  /** Opens or updates the pull request through the configured provider. */
  public void publish() {
    publishStep();
    if (state.prUrl != null && !interrupted) {
      writeOutputs(outcome()); // again, so status.json has the pr phase's time too
    }
  }

  private void publishStep() {
    step("pr", () -> {
      if (interrupted) {
        out.info("interrupted: the pull request is refreshed by the next run");
        return;
      }
      TaskSpec.Provider provider = spec.pr().provider();
      if (provider == TaskSpec.Provider.NONE) {
        out.info("pr.provider is none: no pull request");
        return;
      }
      if (state.committedCount() > 0) {
        try (GitRepo git = openClone()) {
          boolean gone = state.lastPushedSha != null && !state.originTips.isEmpty()
              && !state.originTips.containsKey(Constants.R_HEADS + spec.branch());
          if (!git.head().name().equals(state.lastPushedSha) || gone) {
            out.info(gone ? spec.branch() + " is no longer on the origin: pushing etask's commits again"
                : "pushing commits an interrupted run left unpushed");
            push(git);
          }
        } catch (GitException e) {
          throw gitFailure(Code.PUSH_FAILED, e, "check that the origin is reachable and accepts pushes to " + spec.branch());
        }
      }
      if (state.lastPushedSha == null && state.halted == null) {
        out.info("no pull request: no batch was accepted, so " + spec.branch() + " was not pushed");
        return;
      }
      Outcome o = outcome();
      PullRequestProvider p = new LocalProvider(ws.artifacts(), state.origin);
      try {
        String body = redact(PrBody.render(spec, state, o, command("run")));
        PullRequestProvider.Published published = p.publish(new PullRequest(redact(PrBody.title(spec)), body,
            spec.branch(), state.base, o.labels(), false));
        state.prUrl = published.url();
        out.phase("PR", (published.created() ? "opened" : "updated") + " (" + p.name() + "): " + spec.branch()
            + " → " + state.base + " on " + redact(state.origin));
        out.info("PR record: " + published.location());
        out.info("PR body:   " + ws.prBodyFile());
      } catch (IOException e) {
        throw new EtaskException(Code.PR_FAILED, "cannot record the pull request: " + e.getMessage(),
            "check the permissions of etask.artifactsDir", e);
      }
    });
  }

  // ------------------------------------------------------------------------------------- helpers

  private void step(String phase, Runnable body) {
    long t0 = System.nanoTime();
    if (state.fatal != null && (phase.equals("prepare") || state.fatal.phase().equalsIgnoreCase(phase))) {
      state.fatal = null; // the phase that failed (or the whole task) runs again: the old failure is history
    }
    boolean timed = false;
    try {
      body.run();
    } catch (EtaskException e) {
      EtaskException safe = new EtaskException(e.code(), redact(e.getMessage()), redact(e.nextStep()),
          redactor.scrub(e.getCause()));
      state.addPhaseTime(phase, Duration.ofNanos(System.nanoTime() - t0).toMillis()); // status.json shows it too
      timed = true;
      recordFatal(phase, safe);
      throw safe;
    } catch (RuntimeException e) {
      Throwable safe = redactor.scrub(e);
      state.addPhaseTime(phase, Duration.ofNanos(System.nanoTime() - t0).toMillis());
      timed = true;
      recordFatal(phase, new EtaskException(Code.IO_FAILED, "unexpected error: " + safe, "report this as an etask bug "
          + "with " + ws.traceFile(), safe));
      throw (RuntimeException) safe;
    } finally {
      if (!timed) {
        state.addPhaseTime(phase, Duration.ofNanos(System.nanoTime() - t0).toMillis());
      }
      save();
    }
  }

  private void recordFatal(String phase, EtaskException e) {
    if (e.code() == Code.STATE_MISMATCH || e.code() == Code.TASK_LOCKED) {
      return; // the state belongs to another run or another spec: leave it alone
    }
    state.fatal = new RunState.Fatal(e.code().name(), phase.toUpperCase(Locale.ROOT), redact(e.getMessage()),
        redact(e.nextStep()));
    state.finishedAt = Instant.now().toString();
    StringWriter trace = new StringWriter();
    trace.append("etask ").append(phase).append(" failed: ").append(e.code().name()).append("\n")
        .append(e.getMessage()).append("\n\n");
    if (e.getCause() != null) {
      e.getCause().printStackTrace(new PrintWriter(trace));
    }
    try {
      Path latest = latestLog();
      if (latest != null) {
        trace.append("\n--- ").append(latest.toString()).append(" (last lines) ---\n")
            .append(PythonEnvironment.lastLines(Files.readString(latest, StandardCharsets.UTF_8), 200));
      }
      FailureReport.write(ws.failureFile(), ws.traceFile(), spec.id(), state.fatal, ws.logs(), redact(trace.toString()));
      if (spec.pr().failurePr()) {
        openFailurePr();
      }
      writeOutputs(outcome());
    } catch (IOException | RuntimeException ex) {
      out.warn("could not write the failure report: " + ex.getMessage());
    }
  }

  /**
   * §15.3: a draft PR on {@code <branch>-fail} from the base with one etask commit adding
   * {@code .etask/failures/<id>/FAILURE.md} and {@code trace.txt}.
   */
  private void openFailurePr() {
    if (state.baseSha == null || !Files.isDirectory(ws.repo().resolve(".git"))) {
      out.warn("no failure PR: the repository was never cloned");
      return;
    }
    String branch = spec.branch() + "-fail";
    String title = "fail: " + spec.id() + " (" + state.fatal.code() + ")";
    try (GitRepo git = openClone()) {
      String failure = Files.readString(ws.failureFile(), StandardCharsets.UTF_8);
      Map<String, String> files = new LinkedHashMap<>();
      files.put(".etask/failures/" + spec.id() + "/FAILURE.md", failure);
      files.put(".etask/failures/" + spec.id() + "/trace.txt", Files.readString(ws.traceFile(), StandardCharsets.UTF_8));
      network("fetch", () -> {
        git.fetch();
        return null;
      });
      ObjectId remote = git.remoteTracking(branch);
      ObjectId base = ObjectId.fromString(state.baseSha);
      Ownership ownership = ownership();
      if (remote != null && git.commitsSince(base, remote).stream().anyMatch(c -> !ownership.isOurs(c))) {
        out.warn("no failure PR: " + branch + " on the origin holds commits etask did not make");
        return;
      }
      ObjectId made = git.commitFilesOnto(branch, base, files, title, spec.id(), ident());
      state.ownCommits.add(made.name());
      network("push", () -> {
        git.push(branch, remote);
        return null;
      });
      PullRequestProvider.Published p = new LocalProvider(ws.artifacts(), state.origin, "pr-fail")
          .publish(new PullRequest(title, failure, branch, state.base, List.of("automated", "failure"), true));
      state.failurePrUrl = p.url();
      out.warn("failure PR (draft) recorded: " + p.location() + " (" + branch + " → " + state.base + ")");
    } catch (GitException | IOException | RuntimeException e) {
      out.warn("could not open the failure PR: " + redact(String.valueOf(e.getMessage())));
    }
  }

  private Path latestLog() throws IOException {
    if (!Files.isDirectory(ws.logs())) {
      return null;
    }
    try (var files = Files.list(ws.logs())) {
      return files.max((a, b) -> {
        try {
          return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
        } catch (IOException e) {
          return 0;
        }
      }).orElse(null);
    }
  }

  private synchronized void save() {
    if (frozen) {
      return;
    }
    try {
      writeJson(ws.stateFile(), state);
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot write " + ws.stateFile() + ": " + e.getMessage(),
          "check the disk and permissions of etask.workDir", e);
    }
  }

  /** True (and says so) when the task pushes nothing until a person resolves the branch (see {@link #halt}). */
  private boolean halted() {
    if (state.halted != null) {
      out.info("halted: " + state.halted + "; nothing more happens until a person resolves it");
      return true;
    }
    return false;
  }

  private void requirePrepared() {
    if (!state.prepared) {
      throw new EtaskException(Code.IO_FAILED, "task '" + spec.id() + "' is not prepared yet",
          "run " + command("prepare") + " first (or " + command("run") + " for the whole task)");
    }
  }

  private void requireAnalyzed() {
    requirePrepared();
    if (!state.analyzed) {
      throw new EtaskException(Code.IO_FAILED, "task '" + spec.id() + "' has no batches planned yet",
          "run " + command("analyze") + " first (or " + command("run") + " for the whole task)");
    }
  }

  private String limitReached() {
    if (state.committedCount() >= spec.limits().maxCommits() && state.nextPending() != null) {
      return "max_commits (" + spec.limits().maxCommits() + ") reached";
    }
    if (remainingBudget().isZero()) {
      return "max_runtime_minutes (" + spec.limits().maxRuntime().toSeconds() + "s) reached";
    }
    return null;
  }

  private Duration remainingBudget() {
    Duration left = spec.limits().maxRuntime().minus(Duration.between(runStart, Instant.now()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** The origin, credentials in memory only; {@code state.origin} gets the URL without them. */
  private Origin origin() {
    if (origin == null) {
      origin = resolveOrigin();
      origin.secrets().forEach(redactor::add);
      state.origin = origin.url();
    }
    return origin;
  }

  private Origin resolveOrigin() {
    String url = spec.repository().url();
    if (url == null) {
      Path dir = config.runDir().toAbsolutePath();
      while (dir != null && !GitRepo.isRepository(dir)) {
        dir = dir.getParent();
      }
      if (dir == null) {
        throw new EtaskException(Code.CLONE_FAILED, "repository.url is not set and " + config.runDir()
            + " is not inside a git repository", "set repository.url in " + config.spec());
      }
      try (GitRepo here = GitRepo.open(dir)) {
        url = here.originUrl();
        if (url != null) {
          Origin.parse(url).secrets().forEach(redactor::add);
        }
      } catch (GitException e) {
        throw gitFailure(Code.CLONE_FAILED, e, "set repository.url in " + config.spec());
      }
      if (url == null) {
        throw new EtaskException(Code.CLONE_FAILED, "repository.url is not set and the repository at " + dir
            + " has no 'origin' remote", "set repository.url in " + config.spec());
      }
    }
    if (url.contains("://") || url.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      return Origin.parse(url);
    }
    Path local = spec.specDir().resolve(url).normalize();
    if (!Files.isDirectory(local)) {
      throw new EtaskException(Code.CLONE_FAILED, "repository.url '" + url + "' is " + local + ", which does not exist",
          "relative paths resolve against the spec's folder " + spec.specDir() + "; fix repository.url");
    }
    if (GitRepo.isRepository(local)) {
      return Origin.local(local.toString());
    }
    Path sandbox = config.workDir().toAbsolutePath().normalize().resolve("origins").resolve(local.getFileName() + ".git");
    // tasks running at once may share this origin: one of them makes it, under a lock
    try (TaskLock originLock = lockOrigin(sandbox)) {
      if (!Files.exists(sandbox)) {
        GitRepo.createOriginFrom(local, sandbox, ident());
        out.info(local + " is a plain folder: created the local origin " + sandbox + " from its files (the PR goes there)");
      }
    } catch (GitException | IOException e) {
      throw new EtaskException(Code.CLONE_FAILED, "cannot make a local origin from " + local + ": " + e.getMessage(),
          "point repository.url at a git repository", e);
    }
    return Origin.local(sandbox.toString());
  }

  /** A git operation that talks to the origin. */
  interface NetworkCall<T> {
    T call() throws GitException, IOException;
  }

  /**
   * Runs a call to the origin, retrying network errors (connection refused or reset, timeouts,
   * 5xx) with exponential backoff and jitter within the time budget; other errors are not retried.
   */
  <T> T network(String what, NetworkCall<T> call) throws GitException {
    long delayMs = 500;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (GitException e) {
        long jitter = java.util.concurrent.ThreadLocalRandom.current().nextLong(delayMs / 2 + 1);
        boolean budgetLeft = remainingBudget().toMillis() > delayMs + jitter;
        if (!e.network() || attempt >= NETWORK_ATTEMPTS || !budgetLeft) {
          throw e;
        }
        out.warn(what + " failed (" + redact(e.getMessage()) + "); network error, retry " + attempt + " of "
            + (NETWORK_ATTEMPTS - 1) + " in " + (delayMs + jitter) + " ms");
        try {
          Thread.sleep(delayMs + jitter);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        delayMs = Math.min(delayMs * 2, 30_000);
      } catch (IOException e) {
        throw new GitException(what + ": " + e.getMessage(), false, e);
      }
    }
  }

  private static TaskLock lockOrigin(Path sandbox) throws IOException {
    Path lockFile = sandbox.resolveSibling(sandbox.getFileName() + ".lock");
    for (int i = 0; ; i++) {
      try {
        return TaskLock.acquire(lockFile, sandbox.getFileName().toString());
      } catch (TaskLock.LockedException e) {
        if (i >= 600) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private PersonIdent ident() {
    return new PersonIdent(spec.git().authorName(), spec.git().authorEmail());
  }

  private String commitSubject(BatchState b) {
    String prefix = spec.pr().titlePrefix() == null ? "" : spec.pr().titlePrefix().strip() + " ";
    String objective = spec.objective().strip();
    if (!objective.isEmpty()) {
      objective = Character.toLowerCase(objective.charAt(0)) + objective.substring(1);
    }
    String files = b.files.size() == 1 ? b.files.get(0) : b.files.size() + " files";
    String subject = prefix + objective + " (" + files + ")";
    return subject.length() <= 100 ? subject : subject.substring(0, 99) + "…";
  }

  private String commitMessage(BatchState b) {
    StringBuilder m = new StringBuilder(commitSubject(b)).append("\n\n");
    m.append("Batch ").append(label(b)).append(": ").append(String.join(", ", b.files)).append('\n');
    Map<String, Double> x = b.metrics;
    if (x.containsKey("coverage_before") && x.containsKey("coverage_after")) {
      m.append("Coverage ").append(GateTable.pct(x.get("coverage_before"))).append(" -> ")
          .append(GateTable.pct(x.get("coverage_after"))).append("; tests passed: ")
          .append(GateTable.fmt(x.get("tests_passed"))).append('\n');
    }
    if (!b.labels.isEmpty()) {
      m.append("Labels: ").append(String.join(", ", b.labels)).append('\n');
    }
    return redact(m.toString());
  }

  /**
   * The command that runs {@code goal} on this task, as the user started etask (launcher, plugin prefix
   * and the etask.* parameters they gave), for hints and "how to reproduce".
   */
  static String command(Config config, String goal) {
    if (config.command() != null) {
      return config.command().replace("{goal}", goal);
    }
    Path spec = config.spec().toAbsolutePath().normalize();
    Path run = config.runDir().toAbsolutePath().normalize();
    return "./mvnw etask:" + goal + " -Detask.spec=" + (spec.startsWith(run) ? run.relativize(spec) : spec);
  }

  private String command(String goal) {
    return command(config, goal);
  }

  private String label(BatchState b) {
    return (b.index + 1) + "/" + state.batches.size();
  }

  /**
   * One way to write JSON etask keeps: every string value redacted (so the JSON stays valid), written
   * atomically. Returns the bytes written.
   */
  private byte[] writeJson(Path file, Object value) throws IOException {
    byte[] bytes = RunState.JSON.writeValueAsBytes(redactor.redact(RunState.JSON.valueToTree(value)));
    dev.etask.core.workspace.AtomicFiles.write(file, bytes);
    return bytes;
  }

  /** Reads a gate report and checks it is byte for byte what etask wrote (its SHA-256 is in the state). */
  private GateReport readReport(String name) {
    Path file = ws.reports().resolve(name + ".json");
    try {
      byte[] bytes = Files.readAllBytes(file);
      String expected = state.reportSums.get(name);
      if (expected != null && !expected.equals(sha256(bytes))) {
        throw new EtaskException(Code.REPORT_TAMPERED, "the gate report " + file + " is not what etask wrote: something"
            + " changed it afterwards (a generator, or a person)", "check what writes into " + ws.reports()
            + ", then start the task over with " + command("clean"));
      }
      return RunState.JSON.readValue(bytes, GateReport.class);
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot read the gate report " + file + ": " + e.getMessage(),
          "run " + command("clean") + " and start the task again", e);
    }
  }

  private synchronized void writeReport(String name, GateReport report) {
    if (frozen) {
      return;
    }
    Path file = ws.reports().resolve(name + ".json");
    try {
      state.reportSums.put(name, sha256(writeJson(file, report)));
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot write " + file + ": " + e.getMessage(),
          "check the disk and permissions of etask.workDir", e);
    }
  }

  private static String baselineLine(GateReport r) {
    return "tests " + GateTable.tests(r) + " · coverage " + GateTable.pct(r.coveragePercent()) + " · lint "
        + (r.lint() == null ? "n/a" : r.lint().size()) + " · type errors " + (r.types() == null ? "n/a" : r.types().size());
  }

  private static Map<String, Double> byKey(Map<Metric, Double> m) {
    Map<String, Double> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k.key(), v));
    return out;
  }

  private EtaskException gitFailure(Code code, GitException e, String next) {
    return new EtaskException(code, redact(e.getMessage()), next + (e.network() ? " (this looks like a network problem)" : ""), e);
  }

  private String redact(String s) {
    return redactor.redact(s);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String specHash(TaskSpec spec) {
    try {
      String canonical = spec.toString().replace(spec.file().toString(), "");
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String shortSha(ObjectId id) {
    return id == null ? "?" : id.abbreviate(7).name();
  }

  private static String secs(long t0) {
    return String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - t0) / 1e9);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public void close() {
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or has run
    }
    runner.killAll();
    try {
      lock.close();
    } catch (IOException e) {
      out.warn("could not release " + ws.lockFile() + ": " + e.getMessage());
    }
  }
}
