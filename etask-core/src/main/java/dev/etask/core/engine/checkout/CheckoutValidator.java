package dev.etask.core.engine.checkout;

import dev.etask.core.engine.BaselineCache;
import dev.etask.core.engine.Listener;
import dev.etask.core.engine.Sandboxing;
import dev.etask.core.gates.BaselineCheck;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.GateRunner;
import dev.etask.core.gates.GateSetup;
import dev.etask.core.git.DiffStats;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.process.Environments;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.Redactor;
import dev.etask.core.report.GateTable;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Measurements;
import dev.etask.core.rules.RuleBook;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.Metric;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.Project;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code etask:validate} by hand: the gates on any Python checkout, its working tree against its
 * HEAD, with a spec's gate settings or the defaults. Nothing tracked in the checkout is staged or
 * changed: HEAD's files are measured in a copy (only HEAD's objects are read), and the tools'
 * caches and reports go to the work folder. Installing the project into the venv (an editable
 * install) writes what the project's own build writes into the checkout: ignored by-products such
 * as {@code *.egg-info} or compiled extension modules. An unchanged working tree is measured once.
 */
public final class CheckoutValidator {
  private static final Duration TIMEOUT = Duration.ofMinutes(20);

  private CheckoutValidator() {}

  /** The verdict: the gate table's rows, the decision, and whether the gates passed. */
  public record Result(List<GateTable.Row> rows, Decision decision, boolean passed) {}

  /**
   * {@code cacheDir}: what validations and tasks share on this machine (uv), or null; {@code
   * sandbox}: {@code -Detask.sandbox}, or null for the spec's (auto without one).
   */
  public static Result validate(
      Path start,
      Path workDir,
      Path cacheDir,
      TaskSpec specOrNull,
      TaskSpec.SandboxMode sandbox,
      Listener listener) {
    Path checkout = checkoutAround(start);
    TaskSpec spec = specOrNull != null ? specOrNull : defaultSpec(checkout);
    String id = idOf(checkout);
    Workspace ws = workspace(checkout, workDir, id);
    Redactor redactor = Redactor.none();
    Environments environments = Environments.of(ws.home());
    environments.registerSecrets(redactor);
    Listener out = Listener.redacting(listener, redactor);
    out.phase("VALIDATE", checkout + " (working tree against HEAD)");
    out.info("workspace: " + ws.root());
    Sandboxing sandboxing = Sandboxing.of(sandbox, spec);
    sandboxing.require();
    if (!sandboxing.on()) {
      environments.copyingInstalls();
    }
    out.info(sandboxing.line());
    createFolders(ws);
    try (TaskLock lock = TaskLock.acquire(ws.lockFile(), id)) {
      return validateLocked(spec, ws, cacheDir, sandboxing, environments, redactor, out);
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(
          Code.TASK_LOCKED, e.getMessage(), Hints.waitFor("the other validation"));
    } catch (GitException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot read " + checkout + ": " + e.getMessage(),
          Hints.readableCheckout(checkout, e.getMessage().contains("missing objects")),
          e);
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot validate " + checkout + ": " + e.getMessage(),
          Hints.permissions(ws.root(), "the checkout"),
          e);
    }
  }

  /** The validation, its workspace locked. */
  private static Result validateLocked(
      TaskSpec spec,
      Workspace ws,
      Path cacheDir,
      Sandboxing sandboxing,
      Environments environments,
      Redactor redactor,
      Listener out)
      throws GitException, IOException {
    Path checkout = ws.repo();
    ProcessRunner runner = new ProcessRunner(redactor);
    // HEAD's files first: a checkout whose HEAD cannot be read fails before the venv is built
    Path head = ws.root().resolve("head");
    DiffStats diff = exportHead(checkout, head);
    PythonEnvironment python =
        new PythonEnvironment(ws, runner, environments, spec.python().env(), List.of(), null)
            .confinedBy(sandboxing.confinements(ws, spec, cacheDir).onCheckout());
    if (cacheDir != null) {
      python.withTools(cacheDir.resolve("tools"), spec.python().interpreter());
    }
    Ready ready = ready(ws, head, diff.files() == 0, spec, python, out);
    // shared only when no test of the checkout could write it
    BaselineCache cache =
        new BaselineCache(
            cacheDir == null ? null : sandboxing.on() ? cacheDir : ws.root(), out, redactor);
    Measuring m =
        new Measuring(checkout, head, diff, spec, ws, python, runner, ready, sandboxing.status());
    GateReport before = measureHead(m, cache, out);
    GateReport after =
        m.unchanged()
            ? before
            : new GateRunner(ws, python, runner, ready.versions(), ready.setup())
                .measure("worktree", ready.project().source(), TIMEOUT);
    return judge(spec, ready.setup(), before, after, diff, out);
  }

  /** The git checkout {@code start} is in (its top folder). */
  private static Path checkoutAround(Path start) {
    Path checkout = start.toAbsolutePath().normalize();
    while (checkout != null && !Files.isDirectory(checkout.resolve(".git"))) {
      checkout = checkout.getParent();
    }
    if (checkout == null) {
      throw new EtaskException(
          Code.IO_FAILED, start + " is not inside a git checkout", Hints.validateInARepository());
    }
    return checkout;
  }

  /** The gates' defaults, for a checkout validated without a spec. */
  private static TaskSpec defaultSpec(Path checkout) {
    return SpecLoader.parse(
        checkout.resolve("etask-validate.yaml"),
        """
        id: validate-checkout
        objective: validate the working tree
        target: { include: ["**"] }
        generator: { command: "true" }
        """);
  }

  /**
   * The validation's workspace in {@code workDir} (outside the checkout: inside, the venv and the
   * HEAD copy would be linted and collected as tests).
   */
  private static Workspace workspace(Path checkout, Path workDir, String id) {
    Path where = workDir.toAbsolutePath().normalize().resolve("validate");
    if (where.startsWith(checkout)) {
      where = Path.of(System.getProperty("java.io.tmpdir"), "etask-validate");
    }
    return Workspace.of(where, null, id).on(checkout);
  }

  private static void createFolders(Workspace ws) {
    try {
      ws.createFolders();
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED, "cannot create " + ws.root() + ": " + e.getMessage(), Hints.workDir(), e);
    }
  }

  /** How the working tree differs from HEAD; HEAD's files copied to {@code head} when it does. */
  private static DiffStats exportHead(Path checkout, Path head) throws GitException, IOException {
    FileTrees.delete(head);
    try (GitRepo repo = GitRepo.open(checkout)) {
      DiffStats diff = repo.workingTreeDiff();
      if (diff.files() > 0) {
        repo.exportHead(head);
      }
      return diff;
    }
  }

  /** The validation's workspace name: the checkout's folder name and a hash of its path. */
  private static String idOf(Path checkout) {
    String name =
        checkout.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    return "validate-"
        + name.substring(0, Math.min(40, name.length()))
        + "-"
        + Integer.toHexString(checkout.toString().hashCode());
  }

  /** The project, its environment built, and the gates' settings for it. */
  private record Ready(
      Project project, Map<String, String> versions, String built, GateSetup setup, String how) {}

  /** Everything a measurement of HEAD needs. */
  private record Measuring(
      Path checkout,
      Path head,
      DiffStats diff,
      TaskSpec spec,
      Workspace ws,
      PythonEnvironment python,
      ProcessRunner runner,
      Ready ready,
      String sandbox) {
    boolean unchanged() {
      return diff.files() == 0;
    }
  }

  /**
   * Detects the project and builds its environment (again when the checkout's build outputs changed
   * since: an editable install builds compiled parts into the checkout, which git clean removes),
   * and gives HEAD's copy the working tree's build outputs.
   */
  private static Ready ready(
      Workspace ws,
      Path head,
      boolean unchanged,
      TaskSpec spec,
      PythonEnvironment python,
      Listener out)
      throws GitException, IOException {
    Project project = python.detect(spec.python().interpreter(), spec.python());
    long t0 = System.nanoTime();
    if (!project.locked().isEmpty()) {
      out.info(
          "dependencies at the versions "
              + project.lockFile()
              + " pins ("
              + project.locked().size()
              + " packages)");
    }
    Map<String, String> versions =
        python.ensure(spec.python().interpreter(), project, project.tools());
    python.notes().forEach(out::warn);
    python.confirmSandbox();
    python.prepareBytecode();
    Path checkout = ws.repo();
    Path recorded = ws.root().resolve("build-outputs.txt");
    String built;
    try (GitRepo repo = GitRepo.open(checkout)) {
      built = String.join("\n", BuildOutputs.of(repo, project.source()));
      if (Files.exists(recorded) && !Files.readString(recorded).equals(built)) {
        out.info(
            "the checkout's build outputs changed since the virtualenv was made: installing it again");
        python.invalidate();
        versions = python.ensure(spec.python().interpreter(), project, project.tools());
        built = String.join("\n", BuildOutputs.of(repo, project.source()));
      }
      if (!unchanged) {
        BuildOutputs.copy(repo, checkout, head, project.source(), out);
      }
    }
    dev.etask.core.workspace.AtomicFiles.write(recorded, built);
    out.info(
        "python environment ready in "
            + String.format(Locale.ROOT, "%.1fs", (System.nanoTime() - t0) / 1e9)
            + ": "
            + versions);
    GateSetup setup = GateSetup.of(spec.qualityGates(), project);
    String how = setup.describe(spec.qualityGates(), project);
    out.info(how);
    return new Ready(project, versions, built, setup, how);
  }

  /**
   * HEAD's measurement: from the cache when the same tree, environment and settings were measured,
   * else measured (the working tree itself when it is HEAD) and kept; one that could not see fails.
   */
  private static GateReport measureHead(Measuring m, BaselineCache cache, Listener out)
      throws GitException {
    Ready r = m.ready();
    String key = cache.enabled() ? key(m) : null;
    Optional<BaselineCache.Entry> cached = key == null ? Optional.empty() : cache.find(key);
    GateReport before;
    if (cached.isPresent()) {
      before = cached.get().report();
      out.info(
          (m.unchanged() ? "the working tree is HEAD (no change, no untracked file); " : "")
              + "HEAD's measurement from the cache (the same tree, environment and gate"
              + " settings, measured "
              + cached.get().created()
              + ")");
    } else if (m.unchanged()) {
      out.info("the working tree is HEAD (no change, no untracked file): measured once");
      before =
          new GateRunner(m.ws(), m.python(), m.runner(), r.versions(), r.setup())
              .measure("worktree", r.project().source(), TIMEOUT);
    } else {
      Path head = m.head();
      List<Path> srcFirst =
          Files.isDirectory(head.resolve("src"))
              ? List.of(head.resolve("src"), head)
              : List.of(head);
      Workspace headWs = m.ws().on(head);
      before =
          new GateRunner(
                  headWs, m.python().on(headWs, srcFirst), m.runner(), r.versions(), r.setup())
              .measure("head", r.project().source(), TIMEOUT);
    }
    Optional<BaselineCheck.Failure> blind =
        BaselineCheck.check(
            before, r.project(), r.setup(), m.unchanged() ? "the checkout" : "HEAD", r.how());
    if (blind.isPresent()) {
      throw new EtaskException(
          Code.BASELINE_FAILED,
          blind.get().message(),
          Hints.withLog(
              blind.get().nextStep(),
              m.ws().logs().resolve(m.unchanged() ? "worktree-gates.log" : "head-gates.log")));
    }
    if (key != null && cached.isEmpty()) {
      cache.put(key, before, null, m.unchanged() ? m.checkout() : m.head());
    }
    return before;
  }

  /** HEAD's key in the baseline cache, or null when the checkout has no commit. */
  private static String key(Measuring m) throws GitException {
    Ready r = m.ready();
    try (GitRepo repo = GitRepo.open(m.checkout())) {
      org.eclipse.jgit.lib.ObjectId tree = repo.resolve("HEAD^{tree}");
      return tree == null
          ? null
          : BaselineCache.key(
              tree.name(),
              "checkout",
              r.project(),
              r.setup(),
              r.versions(),
              m.spec().python().interpreter(),
              m.spec().python().env(),
              r.built(),
              m.sandbox(),
              m.spec().qualityGates().network());
    }
  }

  /** The rule book's verdict on the working tree against HEAD, with its table and findings. */
  private static Result judge(
      TaskSpec spec,
      GateSetup setup,
      GateReport before,
      GateReport after,
      DiffStats diff,
      Listener out) {
    Map<Metric, Double> metrics = Measurements.compare(before, after, diff);
    // by hand, a gate that cannot run on the working tree fails, even when it could not run on
    // HEAD either
    List<String> problems = after.problems();
    Decision decision = new RuleBook(spec).decide(metrics, problems);
    List<GateTable.Row> rows =
        GateTable.rows(before, after, metrics, decision.rules(), setup.typesOff() != null);
    GateTable.text(rows).forEach(l -> out.info("  " + l));
    List<String> removed = Measurements.removedTests(before, after);
    removed.stream().limit(20).forEach(t -> out.warn("test no longer runs: " + t));
    if (removed.size() > 20) {
      out.warn("… and " + (removed.size() - 20) + " more tests no longer run");
    }
    Measurements.newFindingList(before.lint(), after.lint())
        .forEach(f -> out.warn("new lint: " + f));
    Measurements.newFindingList(before.types(), after.types())
        .forEach(f -> out.warn("new type error: " + f));
    if (!after.tests().failing().isEmpty()) {
      out.warn("failing tests: " + String.join(", ", after.tests().failing()));
    }
    boolean passed = decision.verdict().commits();
    out.info(
        (passed ? "gates pass" : "gates FAIL")
            + ": "
            + decision.verdict()
            + " — "
            + decision.reason());
    return new Result(rows, decision, passed);
  }
}
