package dev.etask.core.git;

import static dev.etask.core.git.GitCli.git;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository whose .gitattributes give files CRLF in the working tree (dateutil's NEWS). */
class ExactTreeLineEndsTest {
  @TempDir Path tmp;

  @Test
  void aFileCheckedOutWithCrlfIsTheTreesAndIsWrittenBackWithCrlf() throws Exception {
    Path seed = tmp.resolve("seed");
    Files.createDirectories(seed);
    git(tmp, "init", "-q", "-b", "main", seed.toString());
    Files.writeString(seed.resolve(".gitattributes"), "NEWS eol=crlf\n*.bat eol=crlf\n");
    Files.writeString(seed.resolve("NEWS"), "one\ntwo\n");
    Files.writeString(seed.resolve("run.bat"), "@echo off\r\nrem hi\r\n");
    Files.writeString(seed.resolve("a.py"), "x = 1\n");
    git(seed, "add", "-A");
    git(seed, "commit", "-qm", "init");
    Path clone = tmp.resolve("clone");
    git(tmp, "clone", "-q", seed.toString(), clone.toString());
    assertThat(Files.readString(clone.resolve("NEWS"))).isEqualTo("one\r\ntwo\r\n");

    try (GitRepo repo = GitRepo.open(clone)) {
      ExactTree tree = new ExactTree(clone, Map.of());
      assertThat(tree.check(repo.repository(), repo.headTree()).none())
          .as("as git status sees it: nothing changed")
          .isTrue();
      Files.writeString(clone.resolve("NEWS"), "one\r\ntwo\r\nthree\r\n");
      Files.delete(clone.resolve("run.bat"));
      TreeDifferences d = tree.reset(repo.repository(), repo.headTree());
      assertThat(d.changed()).containsExactly("NEWS");
      assertThat(d.missing()).containsExactly("run.bat");
      assertThat(Files.readString(clone.resolve("NEWS"))).isEqualTo("one\r\ntwo\r\n");
      assertThat(Files.readString(clone.resolve("run.bat"))).isEqualTo("@echo off\r\nrem hi\r\n");
      assertThat(tree.check(repo.repository(), repo.headTree()).none()).isTrue();
    }
    assertThat(git(clone, "status", "--porcelain")).isEmpty();
  }
}
