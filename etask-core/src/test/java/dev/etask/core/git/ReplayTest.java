package dev.etask.core.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task's commits made again on a moved base, file by file, on real repositories. */
class ReplayTest {
  private static final PersonIdent ME = new PersonIdent("etask", "etask@example.com");
  @TempDir Path tmp;
  Git git;
  ObjectId start;
  final List<String> merged = new ArrayList<>();

  @BeforeEach
  void repo() throws Exception {
    git = Git.init().setDirectory(tmp.toFile()).setInitialBranch("main").call();
    write("src/logic.py", "def f():\n    return 1\n\n\ndef g():\n    return 2\n");
    write(
        "tests/test_logic.py", "from src.logic import f\n\n\ndef test_f():\n    assert f() == 1\n");
    write("README.md", "one\ntwo\nthree\nfour\nfive\n");
    start = commit("start");
  }

  private void write(String path, String content) throws Exception {
    Path p = tmp.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  private ObjectId commit(String message) throws Exception {
    git.add().addFilepattern(".").call();
    return git.commit().setMessage(message).setAuthor(ME).setCommitter(ME).setSign(false).call();
  }

  private String read(ObjectId commit, String path) throws Exception {
    try (RevWalk walk = new RevWalk(git.getRepository());
        TreeWalk tw =
            TreeWalk.forPath(git.getRepository(), path, walk.parseCommit(commit).getTree())) {
      return tw == null
          ? null
          : new String(
              git.getRepository().open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The task's commits on a branch from start, the base's on main; returns the replay. */
  private Replay.Result replay(Runnable task, Runnable base) throws Exception {
    git.checkout().setCreateBranch(true).setName("auto/t").call();
    task.run();
    ObjectId tip = git.getRepository().resolve("HEAD");
    git.checkout().setName("main").call();
    base.run();
    ObjectId moved = git.getRepository().resolve("HEAD");
    try (GitRepo repo = GitRepo.open(tmp)) {
      List<RevCommit> commits = repo.commitsSince(start, tip);
      return Replay.onto(
          repo,
          start,
          moved,
          commits,
          p -> p.startsWith("tests/"),
          (path, b, u, t) -> {
            merged.add(path);
            return new Replay.Merged(
                (new String(u, StandardCharsets.UTF_8) + "# and the task's\n")
                    .getBytes(StandardCharsets.UTF_8),
                null,
                Map.of("test_f", "test_f_2"));
          },
          ME);
    }
  }

  private Runnable step(String path, String content, String message) {
    return () -> {
      try {
        write(path, content);
        commit(message);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  @Test
  void whatOnlyOneSideChangedIsKeptAndLinesThatDoNotTouchMerge() throws Exception {
    Replay.Result r =
        replay(
            step("README.md", "one\ntwo\nthree\nfour\nfive (task)\n", "task"),
            step("README.md", "one (base)\ntwo\nthree\nfour\nfive\n", "base"));
    assertThat(r.conflicts()).isEmpty();
    assertThat(read(r.head(), "README.md"))
        .isEqualTo("one (base)\ntwo\nthree\nfour\nfive (task)\n");
    assertThat(r.moved()).hasSize(1);
  }

  @Test
  void aLogicFileBothChangedOnTheSameLinesKeepsTheBasesAndTheRestOfTheCommitSurvives()
      throws Exception {
    Runnable task =
        () -> {
          step("src/logic.py", "def f():\n    return 10\n\n\ndef g():\n    return 2\n", "x").run();
          try {
            write("src/other.py", "X = 1\n");
            commit("task: logic and other");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    Replay.Result r =
        replay(
            task,
            step("src/logic.py", "def f():\n    return 100\n\n\ndef g():\n    return 2\n", "base"));
    assertThat(r.conflicts()).hasSize(1);
    Replay.Conflict c = r.conflicts().get(0);
    assertThat(c.path()).isEqualTo("src/logic.py");
    assertThat(c.merged()).isFalse();
    assertThat(c.why()).isEqualTo("both changed the same lines");
    assertThat(c.upstream()).isEqualTo(git.getRepository().resolve("main").name());
    assertThat(read(r.head(), "src/logic.py")).contains("return 100");
    assertThat(read(r.head(), "src/other.py")).isEqualTo("X = 1\n");
    // the first commit changed only the dropped file: it is left out; the second is kept
    assertThat(r.moved()).hasSize(1);
  }

  @Test
  void aTestFileBothChangedIsMergedStructurally() throws Exception {
    Replay.Result r =
        replay(
            step(
                "tests/test_logic.py",
                "from src.logic import f\n\n\ndef test_f():\n    assert f() == 2\n",
                "task"),
            step(
                "tests/test_logic.py",
                "from src.logic import f\n\n\ndef test_f():\n    assert f() == 3\n",
                "base"));
    assertThat(merged).containsExactly("tests/test_logic.py");
    assertThat(r.conflicts())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.merged()).isTrue();
              assertThat(c.renamed()).containsEntry("test_f", "test_f_2");
            });
    assertThat(read(r.head(), "tests/test_logic.py")).endsWith("== 3\n# and the task's\n");
  }
}
