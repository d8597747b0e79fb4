package dev.etask.core.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Taking part of a commit off the branch again, on a real repository. */
class HistoryTest {
  private static final PersonIdent ME = new PersonIdent("etask", "etask@example.com");
  @TempDir Path tmp;
  Git git;

  @BeforeEach
  void repo() throws Exception {
    git = Git.init().setDirectory(tmp.toFile()).setInitialBranch("auto/t").call();
    write("src/logic.py", "X = 1\n");
    write("tests/test_logic.py", "def test_x():\n    assert 1\n");
    commit("base");
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

  private String show(String rev) throws Exception {
    ObjectId id = git.getRepository().resolve(rev);
    return new String(
        git.getRepository().open(id).getBytes(), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void droppingAFileOfACommitKeepsItsOtherChangesAndTheCommitsAfterIt() throws Exception {
    write("src/logic.py", "X = 2\n");
    write("tests/test_logic.py", "def test_x():\n    assert 1\n\n\ndef test_y():\n    assert 0\n");
    write("tests/test_new.py", "def test_new():\n    assert 1\n");
    ObjectId batch = commit("batch 1\n\nEtask-Batch: 1\n");
    write("src/other.py", "Y = 1\n");
    ObjectId later = commit("batch 2");
    try (GitRepo repo = GitRepo.open(tmp)) {
      Map<ObjectId, ObjectId> moved =
          new History(repo).dropPaths(batch, List.of("tests/test_logic.py"), List.of(later), ME);
      assertThat(moved).containsOnlyKeys(batch, later);
      ObjectId now = moved.get(batch);
      assertThat(repo.changedPaths(repo.parse(now)))
          .containsExactlyInAnyOrder("src/logic.py", "tests/test_new.py");
      assertThat(repo.parse(now).getFullMessage()).isEqualTo("batch 1\n\nEtask-Batch: 1\n");
      assertThat(repo.head()).isEqualTo(moved.get(later));
    }
    assertThat(show("HEAD:tests/test_logic.py")).isEqualTo("def test_x():\n    assert 1\n");
    assertThat(show("HEAD:src/logic.py")).isEqualTo("X = 2\n");
    assertThat(show("HEAD:src/other.py")).isEqualTo("Y = 1\n");
    assertThat(Files.readString(tmp.resolve("tests/test_logic.py")))
        .isEqualTo("def test_x():\n    assert 1\n");
  }

  @Test
  void aLaterCommitThatNeedsTheDroppedChangeLeavesTheBranchAsItWas() throws Exception {
    write("src/logic.py", "X = 2\n");
    write("tests/test_logic.py", "def test_x():\n    assert 2\n");
    ObjectId batch = commit("batch 1");
    write("tests/test_logic.py", "def test_x():\n    assert 2\n\n\ndef test_z():\n    assert 3\n");
    ObjectId later = commit("batch 2");
    try (GitRepo repo = GitRepo.open(tmp)) {
      assertThatThrownBy(
              () ->
                  new History(repo)
                      .dropPaths(batch, List.of("tests/test_logic.py"), List.of(later), ME))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("cannot pick " + later.name());
      assertThat(repo.head()).isEqualTo(later);
    }
    assertThat(Files.readString(tmp.resolve("tests/test_logic.py"))).contains("test_z");
  }
}
