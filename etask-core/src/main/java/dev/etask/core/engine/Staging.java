package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.Gates;
import dev.etask.core.gates.TestChecks;
import dev.etask.core.gates.TestQuality;
import dev.etask.core.gates.TestResults;
import dev.etask.core.git.ExactTree;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.TreeDifferences;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RepositoryState;

/**
 * What the gates run on: the exact tree (docs/ARCHITECTURE.md §10). Before every gate run — a
 * measurement, a check of new tests, the whole suite before a push, a bisection probe — the tree it
 * measures is made exactly (the batch's recorded tree while a batch is validated, else HEAD's):
 * with the sandbox, a fresh copy of it that the measurement's processes see at the clone's path
 * (nothing they write reaches the clone); without it, the clone itself, put back to the tree. After
 * the gates, {@link #verify} says what changed in the clone, its index or HEAD.
 *
 * <p>One measurement ({@code label}) at a time; its gate runs may overlap (a check beside a
 * measurement): the tree is only made again when none of them runs.
 */
final class Staging {
  /** Ignored files that change what Python imports: a batch that makes one is rejected. */
  private static final List<String> IMPORTED =
      List.of(".py", ".pyc", ".pyo", ".pyd", ".so", ".pth", ".pyi");

  private final RunContext c;
  private ExactTree clone;
  private ExactTree copy;
  private String label;
  private int running;
  private ObjectId expected;
  private final List<String> found = new ArrayList<>();

  Staging(RunContext c) {
    this.c = c;
  }

  /** The clone's working tree, held to trees (its owned files: what the install wrote). */
  synchronized ExactTree workingTree() {
    if (clone == null) {
      Map<String, ObjectId> owned = new HashMap<>();
      if (c.state().env().ownedFiles() != null) {
        c.state().env().ownedFiles().forEach((p, id) -> owned.put(p, ObjectId.fromString(id)));
      }
      clone =
          new ExactTree(
              c.ws().repo(), owned, dev.etask.core.git.Submodules.checkedOut(c.ws().repo()));
    }
    return clone;
  }

  /** The submodules checked out in the clone changed: its working tree is held to them now. */
  synchronized void submodulesChanged() {
    clone = null;
  }

  /** The files in the clone that are neither HEAD's nor etask's (untracked or ignored). */
  synchronized java.util.Set<String> extras(GitRepo git) throws GitException {
    TreeDifferences d = workingTree().check(git.repository(), git.headTree());
    return new java.util.HashSet<>(concat(d.untracked(), d.ignored()));
  }

  /**
   * Records as etask's own the files the project's install just wrote into the clone beside HEAD's
   * tree ({@code before}: the extra files there were before it ran, which stay extra) and the ones
   * recorded earlier that are still there, with their content now. {@code generated}: the install
   * ran code the generator wrote, so of the files it added only package metadata ({@code
   * *.egg-info/}) and {@code build/} are its own; any other stays an extra file (removed, or the
   * batch rejected when Python would import it).
   */
  synchronized void recordOwned(GitRepo git, java.util.Set<String> before, boolean generated)
      throws GitException {
    Map<String, String> owned = new LinkedHashMap<>();
    java.util.Set<String> candidates = new java.util.TreeSet<>(extras(git));
    candidates.removeAll(before);
    if (generated) {
      candidates.removeIf(p -> !p.contains(".egg-info/") && !p.startsWith("build/"));
    }
    if (c.state().env().ownedFiles() != null) {
      candidates.addAll(c.state().env().ownedFiles().keySet());
    }
    int added = 0;
    for (String p : candidates) {
      Path file = c.ws().repo().resolve(p);
      if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try {
        owned.put(p, dev.etask.core.git.GitContent.blobId(file).name());
      } catch (IOException e) {
        throw new GitException("cannot read " + p + ": " + e.getMessage(), false, e);
      }
      if (c.state().env().ownedFiles() == null || !c.state().env().ownedFiles().containsKey(p)) {
        added++;
      }
    }
    c.state().env().owned(owned);
    clone = null;
    if (added > 0) {
      c.out()
          .info(
              "the project's install wrote "
                  + added
                  + " file(s) git does not track ("
                  + String.join(", ", owned.keySet().stream().limit(3).toList())
                  + (owned.size() > 3 ? ", …" : "")
                  + "): kept as they are; any other such file a batch or a test makes is removed");
    }
  }

  /** The tree the next gate runs measure: {@code tree} (a batch's), or HEAD's when null. */
  synchronized void expect(ObjectId tree) {
    expected = tree;
  }

  /**
   * Puts the clone back to HEAD exactly: tracked files as HEAD has them, every file that is neither
   * HEAD's nor etask's removed (also the ones git ignores), git's index HEAD's tree, nothing in
   * progress. Returns what it had to put right.
   */
  synchronized TreeDifferences restore(GitRepo git) throws GitException {
    leave();
    if (git.repository().getRepositoryState() != RepositoryState.SAFE
        || Files.exists(git.repository().getDirectory().toPath().resolve("SQUASH_MSG"))) {
      git.restore(); // a merge, cherry-pick or revert left in progress
    }
    ObjectId head = git.headTree();
    if (head == null) {
      return null;
    }
    TreeDifferences d = workingTree().reset(git.repository(), head);
    if (!d.none() || !workingTree().indexIs(git.repository(), head)) {
      workingTree().writeIndex(git.repository(), head);
    }
    return d;
  }

  /** Puts the clone, and git's index, to {@code tree} exactly (a batch's tree made again). */
  synchronized void show(GitRepo git, ObjectId tree) throws GitException {
    leave();
    workingTree().reset(git.repository(), tree);
    workingTree().writeIndex(git.repository(), tree);
  }

  /** No measurement runs any more: its worker stops, its copy goes. */
  synchronized void leave() {
    if (label != null) {
      c.python().stopWorker();
      label = null;
      running = 0;
      found.clear();
    }
  }

  /**
   * Makes the tree measurement {@code label} runs on, and starts a gate run of it (end it with
   * {@link #done}).
   */
  synchronized void stage(String label) {
    if (!label.equals(this.label)) {
      leave();
      try {
        FileTrees.delete(c.ws().outputs());
        Files.createDirectories(c.ws().output(label));
      } catch (IOException e) {
        throw new EtaskException(
            Code.IO_FAILED,
            "cannot empty " + c.ws().outputs() + ": " + e.getMessage(),
            Hints.workDir(),
            e);
      }
      this.label = label;
    }
    if (running > 0) {
      running++;
      return; // another gate run of this measurement works on the tree now
    }
    try (GitRepo git = c.openClone()) {
      ObjectId tree = expected != null ? expected : git.headTree();
      TreeDifferences d = workingTree().reset(git.repository(), tree);
      // the last gate run changed what the gates see (tracked files, the install's, what Python
      // imports): the batch is rejected when verified; what changes nothing is only removed
      List<String> imported = importing(d.untracked());
      TreeDifferences seen =
          new TreeDifferences(
              d.changed(),
              d.missing(),
              imported,
              List.of(),
              d.ownedChanged(),
              d.submodulesEdited());
      if (!seen.none()) {
        found.add(seen.describe(5));
        c.out().warn("put the clone back to the tree the gates measure: " + seen.describe(5));
      } else if (!d.none()) {
        c.out().info("removed what the last gate run left in the clone: " + d.describe(5));
      }
      if (c.python().confinements() != null && c.python().confinements().sandboxed()) {
        if (copy == null || !copy.ownedFiles().equals(workingTree().ownedFiles())) {
          copy = new ExactTree(c.ws().stagedTree(), workingTree().ownedFiles());
          Files.createDirectories(copy.root());
        }
        copy.resetFrom(git.repository(), tree, workingTree());
      }
      c.python().startWorker(label); // it imports while the first gate runs
      running++;
    } catch (GitException | IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot make the tree the gates measure: " + e.getMessage(),
          c.hints().cleanAndRetry(),
          e);
    }
  }

  /** A gate run of the current measurement ended. */
  synchronized void done() {
    running = Math.max(0, running - 1);
  }

  /**
   * What changed in the clone while measurement {@code label}'s gates ran: its tracked files, files
   * that change what Python imports, git's index, HEAD; empty when nothing did. Files that change
   * nothing Python imports (a {@code .hypothesis/} folder) are removed and logged. The clone is put
   * back to the tree either way.
   */
  synchronized List<String> verify() {
    List<String> changed = new ArrayList<>(found);
    found.clear();
    try (GitRepo git = c.openClone()) {
      ObjectId tree = expected != null ? expected : git.headTree();
      TreeDifferences d = workingTree().check(git.repository(), tree);
      if (!d.changed().isEmpty()
          || !d.missing().isEmpty()
          || !d.ownedChanged().isEmpty()
          || !d.submodulesEdited().isEmpty()) {
        changed.add(
            new TreeDifferences(
                    d.changed(),
                    d.missing(),
                    List.of(),
                    List.of(),
                    d.ownedChanged(),
                    d.submodulesEdited())
                .describe(5));
      }
      List<String> imported = importing(concat(d.untracked(), d.ignored()));
      if (!imported.isEmpty()) {
        changed.add("files Python would import: " + String.join(", ", imported));
      }
      List<String> harmless = concat(d.untracked(), d.ignored());
      harmless.removeAll(imported);
      if (!harmless.isEmpty()) {
        c.out()
            .info(
                "removed what the gates left in the clone: "
                    + String.join(", ", harmless.subList(0, Math.min(5, harmless.size())))
                    + (harmless.size() > 5 ? ", …" : ""));
      }
      if (!d.none()) {
        workingTree().reset(git.repository(), tree);
      }
      if (!workingTree().indexIs(git.repository(), tree)) {
        changed.add("git's index");
        workingTree().writeIndex(git.repository(), tree);
      }
    } catch (GitException e) {
      throw c.gitFailure(Code.IO_FAILED, e, c.hints().cleanAndRetry());
    }
    return changed;
  }

  /** Of {@code paths}, the ones that change what Python imports. */
  static List<String> importing(List<String> paths) {
    return paths.stream()
        .filter(p -> IMPORTED.stream().anyMatch(x -> p.toLowerCase(Locale.ROOT).endsWith(x)))
        .toList();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** {@code real}, each call on the tree it must measure (see {@link #stage}). */
  Gates gates(Gates real) {
    return new Gates() {
      @Override
      public GateReport measure(String label, List<String> source, Duration timeout) {
        return staged(label, () -> real.measure(label, source, timeout));
      }

      @Override
      public GateReport measureSuite(
          String label, List<String> source, GateReport unchanged, Duration timeout) {
        return staged(label, () -> real.measureSuite(label, source, unchanged, timeout));
      }

      @Override
      public GateReport measureNewTests(
          String label,
          List<String> source,
          List<String> newTests,
          GateReport before,
          Path beforeData,
          String beforeRoot,
          int runs,
          Duration timeout) {
        return staged(
            label,
            () ->
                real.measureNewTests(
                    label, source, newTests, before, beforeData, beforeRoot, runs, timeout));
      }
    };
  }

  /** {@code real}, each check on the tree it must run on (see {@link #stage}). */
  TestChecks checks(TestChecks real) {
    return new TestChecks() {
      @Override
      public List<String> weakTests(String label, List<String> files) {
        return staged(label, () -> real.weakTests(label, files));
      }

      @Override
      public TestQuality.Reruns rerun(
          String label, List<String> files, int reruns, TestResults first, Duration timeout) {
        return staged(label, () -> real.rerun(label, files, reruns, first, timeout));
      }

      @Override
      public List<String> collectedBySuite(String label, List<String> files, Duration timeout) {
        return staged(label, () -> real.collectedBySuite(label, files, timeout));
      }

      @Override
      public List<String> survivingMutation(
          String label, String target, List<String> testFiles, Duration timeout) {
        return staged(label, () -> real.survivingMutation(label, target, testFiles, timeout));
      }
    };
  }

  private <T> T staged(String label, Supplier<T> run) {
    stage(label); // counts the run only when it succeeds
    try {
      return run.get();
    } finally {
      done();
    }
  }
}
