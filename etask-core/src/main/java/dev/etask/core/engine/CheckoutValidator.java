package dev.etask.core.engine;

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
   * What the working tree has been built into that HEAD's copy lacks: ignored files in the source
   * folders that are compiled extension modules or generated Python files (a version file). Both
   * sides are then measured with the same build state, so an unchanged tree always passes.
   */
  static void copyBuildOutputs(
      GitRepo repo, Path checkout, Path head, List<String> source, Listener out)
      throws GitException, IOException {
    List<String> outputs = buildOutputs(repo, source);
    for (String p : outputs) {
      Path target = head.resolve(p);
      if (!Files.exists(target)) {
        Files.createDirectories(target.getParent());
        Files.copy(checkout.resolve(p), target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    if (!outputs.isEmpty()) {
      out.info(
          "HEAD is measured with the working tree's build outputs: " + String.join(", ", outputs));
    }
  }

  /**
   * Ignored files in the source folders that a build made: compiled extension modules, generated
   * modules.
   */
  static List<String> buildOutputs(GitRepo repo, List<String> source) throws GitException {
    List<String> folders =
        source.stream().filter(s -> !s.endsWith(".py")).map(s -> s + "/").toList();
    return repo.ignoredFiles(
        p ->
            folders.stream()
                .anyMatch(
                    f ->
                        p.endsWith("/")
                            ? p.startsWith(f) || f.startsWith(p)
                            : p.startsWith(f) && p.matches(".*\\.(so|pyd|dylib|py)")));
  }

  public static Result validate(Path start, Path workDir, TaskSpec specOrNull, Listener listener) {
    return validate(start, workDir, null, specOrNull, null, listener);
  }

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
    Path checkout = start.toAbsolutePath().normalize();
    while (checkout != null && !Files.isDirectory(checkout.resolve(".git"))) {
      checkout = checkout.getParent();
    }
    if (checkout == null) {
      throw new EtaskException(
          Code.IO_FAILED,
          start + " is not inside a git checkout",
          "run etask:validate in a git repository, or pass -Detask.spec to validate a task's batch");
    }
    TaskSpec spec =
        specOrNull != null
            ? specOrNull
            : SpecLoader.parse(
                checkout.resolve("etask-validate.yaml"),
                """
        id: validate-checkout
        objective: validate the working tree
        target: { include: ["**"] }
        generator: { command: "true" }
        """);
    String name =
        checkout.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    String id =
        "validate-"
            + name.substring(0, Math.min(40, name.length()))
            + "-"
            + Integer.toHexString(checkout.toString().hashCode());
    Path where = workDir.toAbsolutePath().normalize().resolve("validate");
    if (where.startsWith(checkout)) {
      // inside the checkout the venv and the HEAD copy would be linted and collected as tests
      where = Path.of(System.getProperty("java.io.tmpdir"), "etask-validate");
    }
    Workspace ws = Workspace.of(where, null, id).on(checkout);
    Redactor redactor = Redactor.none();
    Environments environments = Environments.of(ws.home());
    environments.registerSecrets(redactor);
    Listener out = Listener.redacting(listener, redactor);
    ProcessRunner runner = new ProcessRunner(redactor);
    out.phase("VALIDATE", checkout + " (working tree against HEAD)");
    out.info("workspace: " + ws.root());
    Sandboxing sandboxing = Sandboxing.of(sandbox, spec);
    sandboxing.require();
    if (!sandboxing.on()) {
      environments.copyingInstalls();
    }
    out.info(sandboxing.line());
    try {
      ws.createFolders();
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot create " + ws.root() + ": " + e.getMessage(),
          "check the permissions of etask.workDir",
          e);
    }
    try (TaskLock lock = TaskLock.acquire(ws.lockFile(), id)) {
      // HEAD's files first: a checkout whose HEAD cannot be read fails before the venv is built
      Path head = ws.root().resolve("head");
      DiffStats diff;
      FileTrees.delete(head);
      try (GitRepo repo = GitRepo.open(checkout)) {
        diff = repo.workingTreeDiff();
        if (diff.files() > 0) {
          repo.exportHead(head);
        }
      }
      boolean unchanged = diff.files() == 0;
      PythonEnvironment python =
          new PythonEnvironment(ws, runner, environments, spec.python().env(), List.of(), null)
              .confinedBy(sandboxing.confinements(ws, spec, cacheDir).onCheckout());
      if (cacheDir != null) {
        python.withTools(cacheDir.resolve("tools"), spec.python().interpreter());
      }
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
      // an editable install builds compiled parts into the checkout; when they are gone (git
      // clean), install again
      Path recorded = ws.root().resolve("build-outputs.txt");
      String built;
      try (GitRepo repo = GitRepo.open(checkout)) {
        built = String.join("\n", buildOutputs(repo, project.source()));
        if (Files.exists(recorded) && !Files.readString(recorded).equals(built)) {
          out.info(
              "the checkout's build outputs changed since the virtualenv was made: installing it again");
          python.invalidate();
          versions = python.ensure(spec.python().interpreter(), project, project.tools());
          built = String.join("\n", buildOutputs(repo, project.source()));
        }
        if (!unchanged) {
          copyBuildOutputs(repo, checkout, head, project.source(), out);
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

      // shared only when no test of the checkout could write it
      BaselineCache cache =
          new BaselineCache(
              cacheDir == null ? null : sandboxing.on() ? cacheDir : ws.root(), out, redactor);
      String key = null;
      try (GitRepo repo = GitRepo.open(checkout)) {
        org.eclipse.jgit.lib.ObjectId tree = repo.resolve("HEAD^{tree}");
        if (tree != null && cache.enabled()) {
          key =
              BaselineCache.key(
                  tree.name(),
                  "checkout",
                  project,
                  setup,
                  versions,
                  spec.python().interpreter(),
                  spec.python().env(),
                  built,
                  sandboxing.status(),
                  spec.qualityGates().network());
        }
      }
      Optional<BaselineCache.Entry> cached = key == null ? Optional.empty() : cache.find(key);
      GateReport before;
      if (cached.isPresent()) {
        before = cached.get().report();
        out.info(
            (unchanged ? "the working tree is HEAD (no change, no untracked file); " : "")
                + "HEAD's measurement from the cache (the same tree, environment and gate"
                + " settings, measured "
                + cached.get().created()
                + ")");
      } else if (unchanged) {
        out.info("the working tree is HEAD (no change, no untracked file): measured once");
        before =
            new GateRunner(ws, python, runner, versions, setup)
                .measure("worktree", project.source(), TIMEOUT);
      } else {
        List<Path> srcFirst =
            Files.isDirectory(head.resolve("src"))
                ? List.of(head.resolve("src"), head)
                : List.of(head);
        Workspace headWs = ws.on(head);
        before =
            new GateRunner(headWs, python.on(headWs, srcFirst), runner, versions, setup)
                .measure("head", project.source(), TIMEOUT);
      }
      Optional<BaselineCheck.Failure> blind =
          BaselineCheck.check(before, project, setup, unchanged ? "the checkout" : "HEAD", how);
      if (blind.isPresent()) {
        throw new EtaskException(
            Code.BASELINE_FAILED,
            blind.get().message(),
            blind.get().nextStep()
                + " (log: "
                + ws.logs().resolve(unchanged ? "worktree-gates.log" : "head-gates.log")
                + ")");
      }
      if (key != null && cached.isEmpty()) {
        cache.put(key, before, null, unchanged ? checkout : head);
      }
      GateReport after =
          unchanged
              ? before
              : new GateRunner(ws, python, runner, versions, setup)
                  .measure("worktree", project.source(), TIMEOUT);
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
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(
          Code.TASK_LOCKED, e.getMessage(), "wait for the other validation to finish");
    } catch (GitException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot read " + checkout + ": " + e.getMessage(),
          e.getMessage().contains("missing objects")
              ? "fetch the missing objects (git fetch --refetch, or clone without --filter) and"
                  + " run etask:validate again"
              : "check that " + checkout + " is a git checkout you can read (git status)",
          e);
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot validate " + checkout + ": " + e.getMessage(),
          "check the permissions of " + ws.root() + " and of the checkout",
          e);
    }
  }
}
