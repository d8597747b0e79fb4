package dev.etask.core.engine;

import dev.etask.core.git.ControlFiles;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.process.ProcessTrees;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.state.BatchState;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.FileTrees;
import dev.etask.core.workspace.VenvSeal;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a generator may and may not change (docs/ARCHITECTURE.md §10). Around each generator run: a
 * snapshot of the clone's control files, HEAD and etask's own files (the virtualenv, the tools'
 * caches, the reports, the workspace's entries); after it, stray processes stopped, its HOME
 * emptied, stale git locks removed, and every change outside what it may change found, reported and
 * put back — the batch is then rolled back. A generator may change its batch's files and {@code
 * target.writable}; files that configure the test runner only when named exactly.
 */
final class ChangeGuard {
  private static final Set<String> WORKSPACE_ENTRIES =
      Set.of(
          "repo",
          "venv",
          "reports",
          "cache",
          "logs",
          "home",
          "scratch",
          "worker",
          "state.json",
          ".lock",
          Workspace.MARKER,
          "generator.pid",
          "mutating",
          "helpers",
          "out",
          "tree",
          "bytecode",
          "baselines",
          "install-cache",
          "venv.generated",
          "generator-tools");

  private final RunContext c;

  /**
   * The virtualenv's seal as the last generator left it: the next generator's seal before it runs.
   * Null when there is none yet, or when the last one tampered (its venv was rebuilt).
   */
  private Map<String, String> lastVenv;

  /** The virtualenv's seal being taken on another thread ({@link #sealAhead}), or null. */
  private java.util.concurrent.CompletableFuture<Map<String, String>> ahead;

  ChangeGuard(RunContext c) {
    this.c = c;
  }

  /**
   * What the generator must leave as it found it. {@code venv} may be older than the rest (the last
   * generator's seal): what changed between it and {@code mark} — when the file system stamped the
   * generator's start — is no generator's doing.
   */
  record Snapshot(
      Map<String, byte[]> control,
      Map<String, String> venv,
      Map<String, String> seal,
      Map<Path, byte[]> reports,
      ObjectId head,
      VenvSeal.Mark mark,
      long wallMillis,
      long monoNanos) {}

  /**
   * Starts sealing the virtualenv on another thread for the next generator (a seal taken any time
   * before it starts will do: what changes in between is told apart by its time).
   */
  void sealAhead() {
    ahead =
        c.onSpareThread(
            () -> {
              try {
                return venvSeal();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
  }

  /** etask built the virtualenv again: the next generator's seal is taken anew. */
  void venvRebuilt() {
    lastVenv = null;
    ahead = null;
  }

  Snapshot before(GitRepo git) throws GitException, IOException {
    Map<String, String> venv = lastVenv;
    if (venv == null && ahead != null) {
      try {
        venv = ahead.join();
      } catch (java.util.concurrent.CompletionException
          | java.util.concurrent.CancellationException e) {
        venv = null; // sealed here instead
      }
    }
    ahead = null;
    if (venv == null) {
      venv = venvSeal();
    }
    lastVenv = null; // kept again only when this generator is found to have left the venv alone
    Map<String, String> seal = etasksOwnFiles();
    Map<String, byte[]> control = new ControlFiles(git).snapshot();
    Map<Path, byte[]> reports = c.store().keptReports();
    ObjectId head = git.head();
    VenvSeal.Mark mark = VenvSeal.mark(c.ws().logs().resolve(".generator-start"));
    return new Snapshot(
        control, venv, seal, reports, head, mark, System.currentTimeMillis(), System.nanoTime());
  }

  /**
   * After the generator: what it left running outside its group is stopped, its HOME emptied, stale
   * locks removed.
   */
  void cleanUpAfter(GitRepo git, String runId, BatchState batch) throws GitException, IOException {
    List<String> strays = ProcessTrees.killMarked(runId);
    if (!strays.isEmpty()) {
      c.out()
          .warn(
              "stopped what the generator left running outside its process group: "
                  + String.join(", ", strays));
    }
    c.ws()
        .freshHome(); // what the generator left in its HOME (tool configs) never reaches the gates
    releaseStaleLocks(git, "the generator of batch " + c.label(batch));
  }

  /**
   * What a generator changed that it may not, since {@code before}: the clone's git control files
   * (names), whether HEAD or the branch moved, etask's own files ({@code changed}), and venv
   * changes from before the generator started ({@code earlier}); {@code venvAfter}: the venv's seal
   * now.
   */
  record Found(
      ControlFiles control,
      List<String> tampered,
      boolean headMoved,
      List<String> changed,
      List<String> earlier,
      Map<String, String> venvAfter) {
    boolean none() {
      return tampered.isEmpty() && changed.isEmpty();
    }
  }

  /** Reads what the generator changed that it may not (see {@link Found}); changes nothing. */
  Found find(GitRepo git, Snapshot before) throws GitException, IOException {
    ControlFiles control = new ControlFiles(git);
    String branch = c.spec().branch();
    List<String> tampered =
        new ArrayList<>(ControlFiles.changed(before.control(), control.snapshot()));
    boolean headMoved = !before.head().equals(git.head()) || !branch.equals(git.currentBranch());
    if (headMoved) {
      tampered.add(
          "HEAD moved to " + RunContext.shortSha(git.head()) + " on " + git.currentBranch());
    }
    Map<String, String> venvAfter = venvSeal();
    List<String> earlier = new ArrayList<>();
    List<String> changed = generatorsVenvChanges(before, venvAfter, earlier);
    changed.addAll(VenvSeal.changes(before.seal(), etasksOwnFiles()));
    return new Found(control, tampered, headMoved, changed, earlier, venvAfter);
  }

  /**
   * Puts back what {@code found} says the generator changed: the control files and the branch, the
   * tree, the tools' caches and etask's reports, the venv (rebuilt); a venv changed before the
   * generator started is rebuilt too. Returns why the batch is rolled back, or null when nothing
   * the generator did calls for it.
   */
  String repair(GitRepo git, Snapshot before, Found found) throws GitException, IOException {
    if (found.headMoved()) {
      found.control().restore(before.control());
      git.checkoutBranch(c.spec().branch(), before.head()); // its commits never stay on the branch
    }
    if (!found.tampered().isEmpty()) {
      found.control().restore(before.control()); // the tree is restored below, with every rollback
    }
    if (found.none()) {
      if (!found.earlier().isEmpty()) {
        c.out()
            .warn(
                "the gates' virtualenv changed after the last generator and before this one"
                    + " started (a test that writes into it?): "
                    + firstFive(found.earlier())
                    + "; it is rebuilt");
        rebuildVenv();
      } else {
        lastVenv = found.venvAfter();
      }
      return null;
    }
    c.staging().restore(git);
    List<String> changed = found.changed();
    boolean venv =
        !found.earlier().isEmpty() || changed.stream().anyMatch(x -> x.startsWith("venv/"));
    if (!changed.isEmpty()) {
      c.python().stopWorker(); // its client script is in the caches: the next call starts anew
      FileTrees.delete(c.ws().cache()); // the tools' caches are rebuilt
      Files.createDirectories(c.ws().cache());
      for (Map.Entry<Path, byte[]> r : before.reports().entrySet()) {
        AtomicFiles.write(r.getKey(), r.getValue()); // the reports etask reads, as it wrote them
      }
    }
    if (venv) {
      rebuildVenv();
    }
    List<String> why = new ArrayList<>();
    if (!found.tampered().isEmpty()) {
      why.add(
          "the generator changed the clone's git control files ("
              + String.join(", ", found.tampered())
              + "); they were restored");
    }
    if (!changed.isEmpty()) {
      why.add("the generator changed etask's own files (" + firstFive(changed) + ")");
    }
    return String.join("; ", why) + (venv ? "; the gates' virtualenv was rebuilt" : "");
  }

  private static String firstFive(List<String> items) {
    return String.join(", ", items.subList(0, Math.min(5, items.size())))
        + (items.size() > 5 ? ", …" : "");
  }

  private void rebuildVenv() throws IOException {
    c.python().stopWorker(); // it runs the old venv's Python: the rebuilt venv starts its own
    c.tools().python(c).invalidate();
    ProjectEnvironment.ensure(c);
  }

  /**
   * The virtualenv's changes since {@code before}'s seal of it that the generator made: those dated
   * at or after its start ({@link VenvSeal#changedSince}). The others — a test that wrote into the
   * venv while the last batch was validated — go to {@code earlier}. When the system clock was set
   * back while the generator ran, every change counts as its own.
   */
  private List<String> generatorsVenvChanges(
      Snapshot before, Map<String, String> after, List<String> earlier) {
    long wall = System.currentTimeMillis() - before.wallMillis();
    long mono = (System.nanoTime() - before.monoNanos()) / 1_000_000;
    boolean clockSetBack = wall < mono - 1000;
    List<String> ours = new ArrayList<>();
    VenvSeal.diff(before.venv(), after)
        .forEach(
            (path, how) ->
                (clockSetBack || VenvSeal.changedSince(c.ws().root(), path, before.mark())
                        ? ours
                        : earlier)
                    .add(path + " (" + how + ")"));
    return ours;
  }

  /** The virtualenv's seal ({@link VenvSeal}), its paths relative to the workspace. */
  private Map<String, String> venvSeal() throws IOException {
    return VenvSeal.of(c.ws().root(), c.ws().venv());
  }

  /**
   * A seal of the other files etask keeps beside the clone that decide what the gates see: the
   * tools' caches, the reports, and which entries the workspace holds at all (a {@code pytest.ini}
   * or {@code ruff.toml} dropped above the clone is no etask file).
   */
  private Map<String, String> etasksOwnFiles() throws IOException {
    Workspace ws = c.ws();
    Map<String, String> seal = new HashMap<>();
    FileTrees.delete(
        ws.cache().resolve("pycache")); // bytecode the gates would load: never kept across attempts
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
  void releaseStaleLocks(GitRepo git, String leftBy) throws GitException {
    releaseStaleLocks(c, git, leftBy);
  }

  static void releaseStaleLocks(RunContext c, GitRepo git, String leftBy) throws GitException {
    for (Path lock : new ControlFiles(git).lockFiles()) {
      if (!ProcessTrees.canSeeHolders()) {
        throw new EtaskException(
            Code.REPO_LOCKED,
            leftBy
                + " left git's lock file "
                + lock
                + ", and on this system"
                + " etask cannot tell whether a git process still holds it",
            Hints.gitLock(c.ws().repo()));
      }
      List<String> holders = ProcessTrees.holdersOf(lock);
      for (int i = 0; i < 50 && !holders.isEmpty(); i++) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        holders = ProcessTrees.holdersOf(lock);
      }
      if (!holders.isEmpty()) {
        throw new EtaskException(
            Code.REPO_LOCKED,
            "git's lock file "
                + lock
                + " is held by process "
                + String.join(", ", holders)
                + ", so the clone cannot be changed",
            Hints.stopProcess(holders.get(0).split(" ")[0]));
      }
      String when;
      try {
        when = Files.getLastModifiedTime(lock).toInstant().toString();
        Files.deleteIfExists(lock);
      } catch (IOException e) {
        throw new EtaskException(
            Code.REPO_LOCKED,
            "cannot remove the stale git lock file " + lock + ": " + e.getMessage(),
            Hints.removeThenRunAgain(),
            e);
      }
      c.out()
          .warn(
              leftBy
                  + " left git's lock file "
                  + c.ws().repo().relativize(lock)
                  + " behind (written "
                  + when
                  + "); no process holds it, so etask removed it");
    }
  }
}
