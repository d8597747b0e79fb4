package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.GateRunner;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.generate.CommandGenerator;
import dev.etask.core.generate.Generator;
import dev.etask.core.git.Change;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
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
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Runs one task's phases (DESIGN §2): each public method is one goal and works on the persisted
 * {@link RunState}, so goals can run one by one, in the lifecycle, or all at once with {@link #run()}.
 * A fatal failure is recorded (state.json, status.json, FAILURE.md) before it is rethrown.
 */
public final class Engine implements AutoCloseable {

  /** Where things are: the spec, the work folder, the artifacts folder, and the folder the user ran in. */
  public record Config(Path spec, Path workDir, Path artifactsDir, Path runDir) {}

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
  private final Redactor redactor = Redactor.none();
  private final ProcessRunner runner = new ProcessRunner(redactor);
  private final PythonEnvironment python;
  private final Instant runStart = Instant.now();
  private final Thread shutdownHook = new Thread(this::interrupted, "etask-interrupt");
  private volatile boolean closed;
  private volatile boolean interrupted;
  /** Set once the interrupt hook has written the final state; guarded by {@code this}. */
  private boolean frozen;

  private Engine(Config config, TaskSpec spec, Workspace ws, Listener out, TaskLock lock, RunState state) {
    this.config = config;
    this.spec = spec;
    this.ws = ws;
    this.out = out;
    this.lock = lock;
    this.state = state;
    this.python = new PythonEnvironment(ws, runner);
  }

  /** Loads the spec, takes the task's lock and reads its state; refuses a state written for another spec. */
  public static Engine open(Config config, Listener out) {
    TaskSpec spec = SpecLoader.load(config.spec());
    Workspace ws = Workspace.of(config.workDir(), config.artifactsDir(), spec.id());
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
            "revert the spec, or start over with: ./mvnw etask:clean -Detask.spec=" + config.spec());
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
          "start over with ./mvnw etask:clean -Detask.spec=" + config.spec(), e);
    }
    Engine engine = new Engine(config, spec, ws, out, lock, state);
    engine.stopOrphan();
    engine.sweepTemporaryFiles();
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
    while (true) {
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
      String origin = resolveOrigin();
      state.origin = origin;
      if (state.prepared && Files.isDirectory(ws.repo().resolve(".git"))) {
        try (GitRepo git = GitRepo.open(ws.repo())) {
          network("fetch", () -> {
            git.fetch();
            return null;
          });
          ObjectId base = git.remoteTracking(state.base);
          out.info("fetched " + redact(origin) + "; " + state.base + " at " + shortSha(base)
              + (base != null && !base.name().equals(state.baseSha) ? " (moved since the baseline; rebased before the next push)" : " (unchanged)"));
          if (!state.branch.equals(git.currentBranch())) {
            git.checkoutBranch(state.branch, git.resolve("refs/heads/" + state.branch));
          }
        } catch (GitException e) {
          throw gitFailure(Code.CLONE_FAILED, e, "check that the origin is reachable");
        }
        ensurePython();
        out.info("baseline kept: " + baselineLine(readReport("baseline")));
        return;
      }
      ObjectId adopted = cloneAndBranch(origin);
      ensurePython();
      measureBaseline();
      if (adopted != null) {
        // the baseline is the base's; the next batch is judged against the adopted branch's tip
        try (GitRepo git = GitRepo.open(ws.repo())) {
          git.checkoutBranch(spec.branch(), adopted);
        } catch (GitException e) {
          throw gitFailure(Code.CLONE_FAILED, e, "run ./mvnw etask:clean for this task and try again");
        }
        GateReport tip = new GateRunner(ws, python, runner, state.toolVersions).measure("adopted", state.sourceDirs,
            GATE_TIMEOUT);
        writeReport("current", tip);
        out.info("adopted branch measured: " + baselineLine(tip));
      }
      state.prepared = true;
    });
  }

  /** Clones and makes the branch; returns the tip of an adopted remote branch, or null for a new branch. */
  private ObjectId cloneAndBranch(String origin) {
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
            throw new EtaskException(Code.CLONE_FAILED, "cannot tell the default branch of " + redact(origin),
                "set repository.base in the task spec");
          }
        }
        ObjectId baseId = git.remoteTracking(base);
        if (baseId == null) {
          throw new EtaskException(Code.CLONE_FAILED, "the origin " + redact(origin) + " has no branch '" + base + "'",
              "set repository.base to one of the origin's branches");
        }
        state.base = base;
        state.baseSha = baseId.name();
        out.info("cloned " + redact(origin) + " (" + base + " @ " + shortSha(baseId) + ") in " + secs(t0));
        ObjectId remoteBranch = git.remoteTracking(spec.branch());
        if (remoteBranch != null) {
          List<RevCommit> commits = git.commitsSince(baseId, remoteBranch);
          List<RevCommit> foreign = commits.stream().filter(c -> !GitRepo.isTaskCommit(c, spec.id())).toList();
          if (!foreign.isEmpty()) {
            state.taskLabels.add("needs-manual-review");
            throw new EtaskException(Code.BRANCH_TAKEN, "the origin's branch " + spec.branch() + " holds "
                + foreign.size() + " commit(s) that etask did not make (e.g. " + shortSha(foreign.get(0)) + " \""
                + foreign.get(0).getShortMessage() + "\"); etask never overwrites them",
                "give the task another id or branch, or delete the remote branch if its commits can go");
          }
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
        git.excludeLocally(BY_PRODUCTS);
      }
      return adopted;
    } catch (GitException e) {
      throw gitFailure(Code.CLONE_FAILED, e, "check repository.url and that the origin is reachable");
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot prepare " + ws.repo() + ": " + e.getMessage(),
          "check the disk and permissions of etask.workDir", e);
    }
  }

  private void ensurePython() {
    long t0 = System.nanoTime();
    String interpreter = spec.python().interpreter();
    PythonEnvironment.Project project = python.detect(interpreter, spec.python());
    state.sourceDirs = new ArrayList<>(project.source());
    state.testDirs = new ArrayList<>(project.tests());
    boolean fresh = !Files.exists(ws.venv().resolve(".etask-env"));
    if (fresh) {
      out.info("building the Python environment (" + (python.uv().isPresent() ? "uv" : "pip")
          + "): " + String.join(" ", project.install()) + (project.install().isEmpty() ? "" : " + ")
          + String.join(" ", spec.python().tools().entrySet().stream().map(e -> e.getKey() + e.getValue()).toList())
          + " …");
    }
    state.toolVersions = new LinkedHashMap<>(python.ensure(interpreter, project, spec.python().tools()));
    out.info("python environment " + (fresh ? "built" : "reused") + " in " + secs(t0) + ": "
        + String.join(", ", state.toolVersions.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())
        + "; sources " + project.source() + ", tests " + project.tests());
    if (project.source().isEmpty()) {
      out.warn("no Python source folder found; coverage and mypy will be empty. Set python.source in the task spec.");
    }
  }

  private void measureBaseline() {
    long t0 = System.nanoTime();
    out.info("measuring the baseline (ruff, pytest + coverage, mypy) …");
    GateReport baseline = new GateRunner(ws, python, runner, state.toolVersions).measure("baseline", state.sourceDirs, GATE_TIMEOUT);
    if (baseline.problems().stream().anyMatch(p -> p.startsWith("pytest"))) {
      throw new EtaskException(Code.BASELINE_FAILED, "the baseline tests cannot run on " + state.base + ": "
          + baseline.problems().get(0), "make the repository's tests run with 'python -m pytest' on " + state.base
          + " (check python.install), then run the task again; log: " + ws.logs().resolve("baseline-gates.log"));
    }
    baseline.problems().forEach(p -> out.warn("baseline: " + p));
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
      requirePrepared();
      if (state.analyzed) {
        return;
      }
      out.phase("ANALYZE", "");
      List<String> tracked;
      try (GitRepo git = GitRepo.open(ws.repo())) {
        tracked = git.trackedFiles();
      } catch (GitException e) {
        throw gitFailure(Code.IO_FAILED, e, "run ./mvnw etask:clean for this task and try again");
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
    try (GitRepo git = GitRepo.open(ws.repo())) {
      git.restore();
      batch.attempts++;
      Path log = ws.logs().resolve("batch-" + (batch.index + 1) + "-generate.log");
      Map<String, String> env = python.withVenv(Environments.forGenerator(spec.generator().env()));
      Generator generator = new CommandGenerator(spec.generator().command(), spec.specDir(), ws.root(), env, runner);
      Duration timeout = min(spec.generator().timeout(), remainingBudget());
      Map<String, byte[]> control = git.controlFiles();
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
        result = generator.generate(new Generator.Request(spec.id(), spec.objective(), batch.files,
            batch.attempts, batch.feedback, ws.repo(), ws.promptFile(), log, timeout));
      } finally {
        runner.onStart(null);
        try {
          Files.deleteIfExists(childFile());
        } catch (IOException e) {
          out.warn("cannot remove " + childFile() + ": " + e.getMessage());
        }
      }
      batch.durationMs += Duration.ofNanos(System.nanoTime() - t0).toMillis();
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
      throw gitFailure(Code.IO_FAILED, e, "run ./mvnw etask:clean for this task and try again");
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
      Path file = root.resolve(p);
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
      requireAnalyzed();
      BatchState batch = state.inFlight();
      if (batch == null || batch.stage != BatchState.Stage.GENERATED) {
        out.info(batch == null ? "no generated batch to validate; run etask:generate first"
            : "batch " + label(batch) + " is already validated; run etask:commit next");
        return;
      }
      out.phase("VALIDATE", "batch " + label(batch));
      long t0 = System.nanoTime();
      GateReport before = readReport("current");
      String name = "batch-" + (batch.index + 1);
      GateReport after = new GateRunner(ws, python, runner, state.toolVersions).measure(name, state.sourceDirs,
          min(GATE_TIMEOUT, remainingBudget().plusMinutes(1)));
      writeReport(name, after);
      DiffStats diff;
      List<String> testFiles;
      try (GitRepo git = GitRepo.open(ws.repo())) {
        diff = git.stagedDiff();
        testFiles = git.changes().stream().filter(c -> c.kind() != Change.Kind.DELETED).map(Change::path)
            .filter(p -> p.endsWith(".py") && spec.git().testFiles().stream().anyMatch(g -> g.matches(p))).toList();
      } catch (GitException e) {
        throw gitFailure(Code.IO_FAILED, e, "run ./mvnw etask:clean for this task and try again");
      }
      Map<Metric, Double> metrics = Measurements.compare(before, after, diff);
      List<String> newProblems = Measurements.newProblems(before, after);
      RuleBook book = new RuleBook(spec);
      Decision decision = book.decide(metrics, newProblems);
      List<String> quality = new ArrayList<>();
      if (decision.verdict().commits() && !testFiles.isEmpty()) {
        TestQuality q = new TestQuality(ws, python, runner);
        List<String> weak = new ArrayList<>(spec.qualityGates().checkAssertions() ? q.weakTests(testFiles) : List.of());
        // at least one run, to see which new tests the suite collects
        TestQuality.Reruns reruns = q.rerun(name, testFiles, Math.max(1, spec.qualityGates().flakyReruns()),
            after.tests(), min(GATE_TIMEOUT, remainingBudget().plusMinutes(1)));
        List<String> flaky = spec.qualityGates().flakyReruns() == 0 ? List.of() : reruns.flaky();
        if (spec.qualityGates().checkAssertions()) {
          for (String id : reruns.uncollected()) {
            weak.add(id + ": not collected by the repository's test run (check testpaths / python_files)");
          }
        }
        if (spec.qualityGates().mutationCheck()) {
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
        metrics.put(Metric.FLAKY_TESTS, (double) flaky.size());
        for (String w : weak) {
          quality.add("weak  " + w);
        }
        for (String f : flaky) {
          quality.add("flaky " + f);
        }
        decision = book.decide(metrics, newProblems);
        if (spec.qualityGates().flakyReruns() > 0) {
          out.info("re-ran the new tests " + spec.qualityGates().flakyReruns() + " times: " + flaky.size()
              + " flaky; " + weak.size() + " without a real assertion");
        }
      }
      batch.metrics = byKey(metrics);
      batch.newFindings = new ArrayList<>(quality);
      Measurements.newFindingList(before.lint(), after.lint()).forEach(f -> batch.newFindings.add("lint  " + f));
      Measurements.newFindingList(before.types(), after.types()).forEach(f -> batch.newFindings.add("type  " + f));
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

  // -------------------------------------------------------------------------------------- commit

  /** Applies the decision: commit and push, retry with feedback, or restore the tree. */
  public void commit() {
    step("commit", () -> {
      requireAnalyzed();
      BatchState batch = state.inFlight();
      if (batch == null || batch.stage != BatchState.Stage.VALIDATED) {
        out.info(batch == null ? "no validated batch to commit; run etask:generate and etask:validate first"
            : "batch " + label(batch) + " is not validated yet; run etask:validate first");
        return;
      }
      out.phase("COMMIT", "batch " + label(batch) + ": " + batch.verdict.toLowerCase(Locale.ROOT));
      Verdict verdict = Verdict.valueOf(batch.verdict);
      try (GitRepo git = GitRepo.open(ws.repo())) {
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
    if (head != null && GitRepo.isTaskCommit(head, spec.id())
        && head.getFooterLines(BATCH_TRAILER).contains(String.valueOf(batch.index + 1)) && git.changes().isEmpty()) {
      return head.getId();
    }
    return null;
  }

  /** Fetch, rebase on a moved base, check the lease, push. */
  private void push(GitRepo git) throws GitException {
    network("fetch", () -> {
      git.fetch();
      return null;
    });
    ObjectId base = git.remoteTracking(state.base);
    boolean rebased = false;
    if (base != null && !base.name().equals(state.baseSha)) {
      List<String> conflicts = git.rebase(base);
      if (conflicts.isEmpty()) {
        out.info(state.base + " moved to " + shortSha(base) + "; rebased " + spec.branch() + " on it");
        state.baseSha = base.name();
        rebased = true;
      } else {
        state.conflicts = new ArrayList<>(new LinkedHashSet<>(conflicts));
        state.taskLabels.add("needs-manual-review");
        out.warn(state.base + " moved and the rebase conflicts in " + conflicts + "; pushing without it (needs-manual-review)");
      }
    }
    ObjectId remote = network("ask the origin for " + spec.branch(), () -> git.remoteHead(spec.branch()));
    if (remote != null && !remote.name().equals(state.lastPushedSha)) {
      List<RevCommit> theirs = git.commitsSince(git.head(), remote);
      List<RevCommit> foreign = theirs.stream().filter(c -> !GitRepo.isTaskCommit(c, spec.id())).toList();
      if (!foreign.isEmpty()) {
        state.taskLabels.add("needs-manual-review");
        throw new EtaskException(Code.BRANCH_TAKEN, "someone else pushed " + foreign.size() + " commit(s) to "
            + spec.branch() + " (e.g. " + shortSha(foreign.get(0)) + " \"" + foreign.get(0).getShortMessage()
            + "\"); etask never overwrites them", "merge or drop those commits by hand, or run the task on another branch");
      }
    }
    boolean force = rebased && remote != null;
    network("push", () -> {
      git.push(spec.branch(), force);
      return null;
    });
    state.lastPushedSha = git.head().name();
    out.info("pushed " + spec.branch() + " @ " + shortSha(git.head()) + (force ? " (after rebase)" : ""));
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
      StatusJson.write(ws.statusFile(), spec, state, o);
      if (state.prepared) {
        dev.etask.core.workspace.AtomicFiles.write(ws.prBodyFile(), redact(PrBody.render(spec, state, o, specForCommand())));
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
      if (provider == TaskSpec.Provider.GITHUB) {
        throw new EtaskException(Code.PR_FAILED, "the github PR provider is not part of this etask version",
            "use pr.provider: local (or auto), which records the PR in " + ws.artifacts());
      }
      if (state.committedCount() > 0) {
        try (GitRepo git = GitRepo.open(ws.repo())) {
          if (!git.head().name().equals(state.lastPushedSha)) {
            out.info("pushing commits an interrupted run left unpushed");
            push(git);
          }
        } catch (GitException e) {
          throw gitFailure(Code.PUSH_FAILED, e, "check that the origin is reachable and accepts pushes to " + spec.branch());
        }
      }
      if (state.lastPushedSha == null) {
        out.info("no pull request: no batch was accepted, so " + spec.branch() + " was not pushed");
        return;
      }
      Outcome o = outcome();
      PullRequestProvider p = new LocalProvider(ws.artifacts(), redact(state.origin));
      try {
        String body = redact(PrBody.render(spec, state, o, specForCommand()));
        PullRequestProvider.Published published = p.publish(new PullRequest(PrBody.title(spec), body, spec.branch(),
            state.base, o.labels(), false));
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
    try {
      body.run();
    } catch (EtaskException e) {
      recordFatal(phase, e);
      throw e;
    } catch (RuntimeException e) {
      recordFatal(phase, new EtaskException(Code.IO_FAILED, "unexpected error: " + e, "report this as an etask bug "
          + "with " + ws.traceFile(), e));
      throw e;
    } finally {
      state.addPhaseTime(phase, Duration.ofNanos(System.nanoTime() - t0).toMillis());
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
    try (GitRepo git = GitRepo.open(ws.repo())) {
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
      if (remote != null && git.commitsSince(base, remote).stream().anyMatch(c -> !GitRepo.isTaskCommit(c, spec.id()))) {
        out.warn("no failure PR: " + branch + " on the origin holds commits etask did not make");
        return;
      }
      git.commitFilesOnto(branch, base, files, title, spec.id(), ident());
      network("push", () -> {
        git.push(branch, true);
        return null;
      });
      PullRequestProvider.Published p = new LocalProvider(ws.artifacts(), redact(state.origin), "pr-fail")
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
      state.write(ws.stateFile());
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot write " + ws.stateFile() + ": " + e.getMessage(),
          "check the disk and permissions of etask.workDir", e);
    }
  }

  private void requirePrepared() {
    if (!state.prepared) {
      throw new EtaskException(Code.IO_FAILED, "task '" + spec.id() + "' is not prepared yet",
          "run ./mvnw etask:prepare -Detask.spec=" + config.spec() + " first (or etask:run for the whole task)");
    }
  }

  private void requireAnalyzed() {
    requirePrepared();
    if (!state.analyzed) {
      throw new EtaskException(Code.IO_FAILED, "task '" + spec.id() + "' has no batches planned yet",
          "run ./mvnw etask:analyze -Detask.spec=" + config.spec() + " first (or etask:run for the whole task)");
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

  private String resolveOrigin() {
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
      } catch (GitException e) {
        throw gitFailure(Code.CLONE_FAILED, e, "set repository.url in " + config.spec());
      }
      if (url == null) {
        throw new EtaskException(Code.CLONE_FAILED, "repository.url is not set and the repository at " + dir
            + " has no 'origin' remote", "set repository.url in " + config.spec());
      }
    }
    if (url.contains("://") || url.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      return url;
    }
    Path local = spec.specDir().resolve(url).normalize();
    if (!Files.isDirectory(local)) {
      throw new EtaskException(Code.CLONE_FAILED, "repository.url '" + url + "' is " + local + ", which does not exist",
          "relative paths resolve against the spec's folder " + spec.specDir() + "; fix repository.url");
    }
    if (GitRepo.isRepository(local)) {
      return local.toString();
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
    return sandbox.toString();
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

  private String specForCommand() {
    Path spec = config.spec().toAbsolutePath().normalize();
    Path run = config.runDir().toAbsolutePath().normalize();
    return spec.startsWith(run) ? run.relativize(spec).toString() : spec.toString();
  }

  private String label(BatchState b) {
    return (b.index + 1) + "/" + state.batches.size();
  }

  private GateReport readReport(String name) {
    Path file = ws.reports().resolve(name + ".json");
    try {
      return RunState.JSON.readValue(file.toFile(), GateReport.class);
    } catch (IOException e) {
      throw new EtaskException(Code.IO_FAILED, "cannot read the gate report " + file + ": " + e.getMessage(),
          "run ./mvnw etask:clean -Detask.spec=" + config.spec() + " and start the task again", e);
    }
  }

  private synchronized void writeReport(String name, GateReport report) {
    if (frozen) {
      return;
    }
    Path file = ws.reports().resolve(name + ".json");
    try {
      dev.etask.core.workspace.AtomicFiles.write(file, RunState.JSON.writeValueAsBytes(report));
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
