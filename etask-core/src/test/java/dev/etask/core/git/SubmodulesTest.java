package dev.etask.core.git;

import static dev.etask.core.git.GitCli.git;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real git: a submodule checked out beside its origin, edited, moved, put back. */
class SubmodulesTest {
  @TempDir Path tmp;

  @Test
  void aSubmoduleIsCheckedOutHeldAtItsCommitAndMovedOnlyAsAWhole() throws Exception {
    Path lib = tmp.resolve("lib-seed");
    Files.createDirectories(lib);
    git(tmp, "init", "-q", "-b", "main", lib.toString());
    Files.writeString(lib.resolve("data.py"), "data = 1\n");
    git(lib, "add", "-A");
    git(lib, "commit", "-qm", "one");
    String first = git(lib, "rev-parse", "HEAD");
    Files.writeString(lib.resolve("data.py"), "data = 2\n");
    git(lib, "commit", "-qam", "two");
    String second = git(lib, "rev-parse", "HEAD");
    git(tmp, "clone", "-q", "--bare", lib.toString(), "lib.git");

    Path seed = tmp.resolve("seed");
    Files.createDirectories(seed);
    git(tmp, "init", "-q", "-b", "main", seed.toString());
    Files.writeString(
        seed.resolve(".gitmodules"),
        "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n");
    Files.writeString(seed.resolve("README.md"), "hello\n");
    git(seed, "update-index", "--add", "--cacheinfo", "160000," + first + ",vendor/lib");
    git(seed, "update-index", "--add", "--cacheinfo", "160000," + first + ",vendor/gone");
    git(seed, "add", ".gitmodules", "README.md");
    git(seed, "commit", "-qm", "init");
    git(tmp, "clone", "-q", "--bare", seed.toString(), "origin.git");
    Path clone = tmp.resolve("clone");
    git(tmp, "clone", "-q", tmp.resolve("origin.git").toString(), clone.toString());

    try (GitRepo repo = GitRepo.open(clone)) {
      Repository r = repo.repository();
      ObjectId head = repo.headTree();
      List<Submodules.Declared> declared =
          Submodules.of(r, head).stream().filter(d -> d.path().equals("vendor/lib")).toList();
      assertThat(declared)
          .containsExactly(
              new Submodules.Declared(
                  "vendor/lib", "vendor/lib", "../lib.git", ObjectId.fromString(first)));
      assertThat(Submodules.checkOut(clone, declared.get(0), tmp.resolve("origin.git").toString()))
          .isNull();
      assertThat(Files.readString(clone.resolve("vendor/lib/data.py"))).isEqualTo("data = 1\n");
      Map<String, String> checkedOut = Submodules.checkedOut(clone);
      assertThat(checkedOut).containsExactly(Map.entry("vendor/lib", "vendor/lib"));

      ExactTree tree = new ExactTree(clone, Map.of(), checkedOut);
      assertThat(tree.check(r, head).none()).isTrue();

      // its files edited: a difference of their own, put back by a reset
      Files.writeString(clone.resolve("vendor/lib/data.py"), "data = 3\n");
      Files.writeString(clone.resolve("vendor/lib/extra.py"), "x = 1\n");
      TreeDifferences edited = tree.check(r, head);
      assertThat(edited.submodulesEdited()).containsExactly("vendor/lib");
      assertThat(edited.changes()).isEmpty();
      tree.reset(r, head);
      assertThat(Files.readString(clone.resolve("vendor/lib/data.py"))).isEqualTo("data = 1\n");
      assertThat(clone.resolve("vendor/lib/extra.py")).doesNotExist();
      assertThat(tree.check(r, head).none()).isTrue();

      // its .git file pointed elsewhere: edited too, and written back
      Files.writeString(clone.resolve("vendor/lib/.git"), "gitdir: " + lib.resolve(".git") + "\n");
      assertThat(tree.check(r, head).submodulesEdited()).containsExactly("vendor/lib");
      tree.reset(r, head);
      assertThat(tree.check(r, head).none()).isTrue();

      // a file where a submodule that is not checked out is: never a change of the batch's
      Files.deleteIfExists(clone.resolve("vendor/gone"));
      Files.writeString(clone.resolve("vendor/gone"), "import os\n");
      TreeDifferences replaced = tree.check(r, head);
      assertThat(replaced.submodulesEdited()).containsExactly("vendor/gone");
      assertThat(replaced.changes()).isEmpty();
      tree.reset(r, head);
      assertThat(clone.resolve("vendor/gone")).doesNotExist();

      // moved to another commit as a whole: a change of its path, recorded as the new gitlink
      git(clone.resolve("vendor/lib"), "checkout", "-q", second);
      TreeDifferences moved = tree.check(r, head);
      assertThat(moved.changes()).containsExactly(new Change("vendor/lib", Change.Kind.MODIFIED));
      ObjectId recorded = tree.record(r, head, moved.changes());
      try (TreeWalk walk = TreeWalk.forPath(r, "vendor/lib", recorded)) {
        assertThat(walk.getFileMode(0)).isEqualTo(FileMode.GITLINK);
        assertThat(walk.getObjectId(0).name()).isEqualTo(second);
      }
      tree.reset(r, head);
      assertThat(Files.readString(clone.resolve("vendor/lib/data.py"))).isEqualTo("data = 1\n");
    }
  }

  @Test
  void aRelativeUrlIsTheOriginsNeighbour() {
    assertThat(Submodules.resolve("/srv/git/app.git", "../lib.git")).isEqualTo("/srv/git/lib.git");
    assertThat(Submodules.resolve("https://example.com/org/app.git", "../lib.git"))
        .isEqualTo("https://example.com/org/lib.git");
    assertThat(Submodules.resolve("https://example.com/org/app", "./sub"))
        .isEqualTo("https://example.com/org/app/sub");
    assertThat(Submodules.resolve("/srv/app.git", "https://example.com/x.git"))
        .isEqualTo("https://example.com/x.git");
  }
}
