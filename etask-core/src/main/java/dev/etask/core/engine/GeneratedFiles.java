package dev.etask.core.engine;

import dev.etask.core.git.Change;
import dev.etask.core.git.ExactTree;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.TreeDifferences;
import dev.etask.core.rules.Decision;
import dev.etask.core.rules.Verdict;
import dev.etask.core.state.BatchState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What a generator made, read from the clone's files (never from git's index), for {@link
 * GeneratePhase}: refused when it reaches beyond source (see {@link #refused}) or the allowlist,
 * else recorded as the batch's tree.
 */
final class GeneratedFiles {
  /** The reason of a batch whose generator changed nothing. */
  static final String NOTHING_CHANGED = "the generator changed nothing";

  private GeneratedFiles() {}

  /** Reads what the generator made into the batch's tree, or rolls the batch back. */
  static void record(RunContext c, GitRepo git, BatchState batch, long t0)
      throws GitException, IOException {
    // what the generator made, read from its files (never from git's index)
    ObjectId head = git.headTree();
    ExactTree files = c.staging().workingTree();
    TreeDifferences made;
    try {
      made = files.check(git.repository(), head);
    } catch (GitException e) { // a file it made unreadable: its batch, not the task, fails
      c.staging().restore(git);
      GeneratePhase.rollback(
          c, batch, "the generator left files etask cannot read: " + e.getMessage());
      return;
    }
    if (refuse(c, git, batch, made)) {
      return;
    }
    if (!Tidy.run(c, batch, made.changes()).isEmpty()) {
      made = files.check(git.repository(), head); // the same files, tidied
      if (refuse(c, git, batch, made)) {
        return;
      }
    }
    List<Change> changes = made.changes();
    if (!made.ignored().isEmpty()) {
      c.out()
          .info(
              "removed the files git ignores that the generator left: "
                  + String.join(", ", made.ignored()));
    }
    if (changes.isEmpty()) {
      c.staging().restore(git);
      batch.close(Decision.of(Verdict.SKIP, NOTHING_CHANGED));
      c.out().info("batch " + c.label(batch) + ": the generator changed nothing");
      return;
    }
    ObjectId tree;
    try {
      tree = files.record(git.repository(), head, changes);
    } catch (GitException e) {
      c.staging().restore(git);
      GeneratePhase.rollback(
          c, batch, "the generator's files cannot be recorded: " + e.getMessage());
      return;
    }
    files.reset(git.repository(), tree); // the ignored files it left go
    files.writeIndex(git.repository(), tree);
    batch.generated(
        changes.stream()
            .map(x -> x.path() + " (" + x.kind().name().toLowerCase(Locale.ROOT) + ")")
            .toList(),
        tree.name());
    c.out()
        .info(
            "generator finished in "
                + RunContext.secs(t0)
                + "; changed "
                + String.join(", ", batch.changedFiles()));
  }

  /**
   * Refuses what the generator made (rolled back, the tree restored) when it must be; true then.
   */
  private static boolean refuse(RunContext c, GitRepo git, BatchState batch, TreeDifferences made)
      throws GitException, IOException {
    List<Change> changes = made.changes();
    String refused = refused(c, made, changes);
    List<String> violations = Allowlist.violations(c, batch, changes);
    if (refused == null && !violations.isEmpty()) {
      refused =
          "changed files outside the allowlist (the batch's files and target.writable): "
              + String.join(", ", violations);
    }
    if (refused != null) {
      c.staging().restore(git);
      if (!made.ownedChanged().isEmpty()) {
        ProjectEnvironment.reinstall(c); // what the install wrote comes back only from it
      }
      GeneratePhase.rollback(c, batch, refused);
      return true;
    }
    return false;
  }

  /**
   * Why the batch is refused for what its generator left beside its changes, or null: a file git
   * ignores that changes what Python imports (a {@code .pyc}, {@code .pth} or {@code .so}, a module
   * in an ignored folder: it could shadow the code the gates should see), a file the project's
   * install wrote that it changed, a new or changed file that is a hard link (its content is
   * another file's).
   */
  static String refused(RunContext c, TreeDifferences made, List<Change> changes)
      throws IOException {
    List<String> why = new ArrayList<>();
    List<String> nested = made(changes, p -> ("/" + p + "/").contains("/.git/"));
    if (!nested.isEmpty()) {
      why.add("made a git folder inside the clone (" + String.join(", ", nested) + ")");
    }
    Path repo = c.ws().repo();
    List<String> special =
        made(
            changes,
            p ->
                !Files.isRegularFile(repo.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(repo.resolve(p)));
    if (!special.isEmpty()) {
      why.add("made special files (a pipe, socket or device: " + String.join(", ", special) + ")");
    }
    List<String> compiled = made(changes, p -> p.matches(".*\\.(pyc|pyo|pyd|so|pth)"));
    if (!compiled.isEmpty()) {
      why.add(
          "adds compiled modules or .pth files ("
              + String.join(", ", compiled)
              + "): a batch changes source, never what Python imports without reading it");
    }
    List<String> imported = Staging.importing(made.ignored());
    if (!imported.isEmpty()) {
      why.add(
          "left files git ignores that change what Python imports ("
              + String.join(", ", imported)
              + "); the gates could have run other code than the batch's");
    }
    if (!made.submodulesEdited().isEmpty()) {
      why.add(
          "changed files inside the submodule(s) "
              + String.join(", ", made.submodulesEdited())
              + " (a submodule's files are never a batch's)");
    }
    if (!made.ownedChanged().isEmpty()) {
      why.add(
          "changed what the project's install wrote ("
              + String.join(", ", made.ownedChanged())
              + ")");
    }
    List<String> linked = new ArrayList<>();
    for (String p : made(changes, p -> Files.isRegularFile(repo.resolve(p)))) {
      if (dev.etask.core.git.GitContent.links(repo.resolve(p)) > 1) {
        linked.add(p);
      }
    }
    if (!linked.isEmpty()) {
      why.add(
          "made hard links ("
              + String.join(", ", linked)
              + "): their content is another file's, maybe outside the clone");
    }
    return why.isEmpty() ? null : "the generator " + String.join("; ", why);
  }

  /** The paths of {@code changes} that are there (added or modified) and pass {@code test}. */
  private static List<String> made(
      List<Change> changes, java.util.function.Predicate<String> test) {
    return changes.stream()
        .filter(x -> x.kind() != Change.Kind.DELETED)
        .map(Change::path)
        .filter(test)
        .toList();
  }
}
