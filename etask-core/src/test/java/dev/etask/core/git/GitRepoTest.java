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
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitRepoTest {
  private static final PersonIdent ME = new PersonIdent("etask", "etask@example.com");
  @TempDir Path tmp;
  Path origin;
  Path seed;

  @BeforeEach
  void makeOrigin() throws Exception {
    seed = tmp.resolve("seed");
    Files.createDirectories(seed.resolve("src"));
    Files.writeString(seed.resolve("src/app.py"), "def f():\n    return 1\n");
    Files.writeString(seed.resolve("README.md"), "hello\n");
    origin = tmp.resolve("origin.git");
    GitRepo.createOriginFrom(seed, origin, ME);
  }

  private GitRepo cloned(String name) throws Exception {
    return GitRepo.cloneFrom(Origin.local(origin.toString()), tmp.resolve(name));
  }

  private GitRepo reopen(String name) throws Exception {
    return GitRepo.open(tmp.resolve(name), Origin.local(origin.toString()));
  }

  @Test
  void originFromAPlainFolderHasOneCommitOnMain() throws Exception {
    assertThat(GitRepo.isRepository(origin)).isTrue();
    assertThat(GitRepo.isRepository(seed)).isFalse();
    try (GitRepo repo = cloned("c")) {
      assertThat(repo.remoteDefaultBranch()).isEqualTo("main");
      assertThat(repo.trackedFiles()).containsExactly("README.md", "src/app.py");
    }
  }

  @Test
  void changesStagingDiffAndCommitWithTrailer() throws Exception {
    try (GitRepo repo = cloned("c")) {
      ObjectId base = repo.remoteTracking("main");
      repo.checkoutBranch("auto/x", base);
      Path wt = tmp.resolve("c");
      Files.writeString(wt.resolve("src/app.py"), "def f():\n    return 2\n\n\ndef g():\n    return 3\n");
      Files.createDirectories(wt.resolve("tests"));
      Files.writeString(wt.resolve("tests/test_app.py"), "def test():\n    pass\n");
      Files.delete(wt.resolve("README.md"));
      List<Change> changes = repo.changes();
      assertThat(changes).containsExactly(new Change("README.md", Change.Kind.DELETED),
          new Change("src/app.py", Change.Kind.MODIFIED), new Change("tests/test_app.py", Change.Kind.ADDED));
      repo.stage(changes);
      DiffStats d = repo.stagedDiff();
      assertThat(d.files()).isEqualTo(3);
      assertThat(d.added()).isEqualTo(7);
      assertThat(d.removed()).isEqualTo(2);
      assertThat(d.addedLines().get("src/app.py")).containsExactly(2, 3, 4, 5, 6);
      assertThat(d.addedLines()).doesNotContainKey("README.md");
      ObjectId c = repo.commit("test: add", "x", ME);
      List<RevCommit> commits = repo.commitsSince(base, c);
      assertThat(commits).hasSize(1);
      assertThat(GitRepo.isTaskCommit(commits.get(0), "x")).isTrue();
      assertThat(GitRepo.isTaskCommit(commits.get(0), "y")).isFalse();
      assertThat(repo.changes()).isEmpty();
    }
  }

  @Test
  void restorePutsTheTreeBackExactly() throws Exception {
    try (GitRepo repo = cloned("c")) {
      Path wt = tmp.resolve("c");
      Files.writeString(wt.resolve("src/app.py"), "broken");
      Files.createDirectories(wt.resolve("new/dir"));
      Files.writeString(wt.resolve("new/dir/f.py"), "x");
      Files.delete(wt.resolve("README.md"));
      repo.restore();
      assertThat(repo.changes()).isEmpty();
      assertThat(Files.readString(wt.resolve("src/app.py"))).isEqualTo("def f():\n    return 1\n");
      assertThat(wt.resolve("new")).doesNotExist();
      assertThat(wt.resolve("README.md")).exists();
    }
  }

  @Test
  void excludedByProductsAreNotChanges() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.excludeLocally(List.of(".coverage", "__pycache__/", "*.egg-info/"));
      repo.excludeLocally(List.of(".coverage"));
      Path wt = tmp.resolve("c");
      Files.writeString(wt.resolve(".coverage"), "x");
      Files.createDirectories(wt.resolve("src/__pycache__"));
      Files.writeString(wt.resolve("src/__pycache__/app.pyc"), "x");
      assertThat(repo.changes()).isEmpty();
      assertThat(Files.readString(wt.resolve(".git/info/exclude")).lines().filter(".coverage"::equals)).hasSize(1);
    }
  }

  @Test
  void pushIsCheckedAndRemoteHeadIsRead() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      assertThat(repo.remoteHead("auto/x")).isNull();
      Files.writeString(tmp.resolve("c/new.py"), "x = 1\n");
      repo.stage(repo.changes());
      ObjectId c = repo.commit("add", "x", ME);
      repo.push("auto/x");
      assertThat(repo.remoteHead("auto/x")).isEqualTo(c);
    }
    // someone else moves the branch: a plain push is refused, and the status says so
    try (GitRepo other = cloned("d")) {
      other.checkoutBranch("auto/x", other.remoteTracking("auto/x"));
      Files.writeString(tmp.resolve("d/other.py"), "y = 1\n");
      other.stage(other.changes());
      other.commit("theirs", "someone", ME);
      other.push("auto/x");
    }
    try (GitRepo repo = reopen("c")) {
      Files.writeString(tmp.resolve("c/third.py"), "z = 1\n");
      repo.stage(repo.changes());
      repo.commit("more", "x", ME);
      assertThatThrownBy(() -> repo.push("auto/x")).isInstanceOf(GitException.class)
          .hasMessageContaining("REJECTED_NONFASTFORWARD");
    }
  }

  @Test
  void rebaseOnAMovedBaseAndConflictsAreAborted() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/src/app.py"), "def f():\n    return 10\n");
      Files.writeString(tmp.resolve("c/tests.py"), "t = 1\n");
      repo.stage(repo.changes());
      repo.commit("ours", "x", ME);
    }
    try (Git other = Git.cloneRepository().setURI(origin.toString()).setDirectory(tmp.resolve("o").toFile()).call()) {
      Files.writeString(tmp.resolve("o/README.md"), "moved\n");
      other.add().addFilepattern("README.md").call();
      other.commit().setMessage("base moves").setAuthor(ME).setCommitter(ME).setSign(false).call();
      other.push().call();
    }
    try (GitRepo repo = reopen("c")) {
      repo.fetch();
      assertThat(repo.rebase(repo.remoteTracking("main"))).isEmpty();
      assertThat(repo.commitsSince(repo.remoteTracking("main"), repo.head())).hasSize(1);
    }
    try (Git other = Git.open(tmp.resolve("o").toFile())) {
      Files.writeString(tmp.resolve("o/src/app.py"), "def f():\n    return 20\n");
      other.add().addFilepattern("src/app.py").call();
      other.commit().setMessage("conflicting").setAuthor(ME).setCommitter(ME).setSign(false).call();
      other.push().call();
    }
    try (GitRepo repo = reopen("c")) {
      ObjectId before = repo.head();
      repo.fetch();
      assertThat(repo.rebase(repo.remoteTracking("main"))).containsExactly("src/app.py");
      assertThat(repo.head()).isEqualTo(before);
      assertThat(repo.changes()).isEmpty();
    }
  }

  @Test
  void theCloneHasNoRemoteAndNoCredentialAnywhereInItsGitFolder() throws Exception {
    try (GitRepo repo = GitRepo.cloneFrom(Origin.parse("file://bob:clone-canary-123@" + origin.toAbsolutePath()),
        tmp.resolve("c"))) {
      assertThat(repo.originUrl()).isNull();
      repo.fetch();
      assertThat(repo.remoteTracking("main")).isNotNull();
    }
    try (var files = Files.walk(tmp.resolve("c/.git"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String text;
        try {
          text = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
          continue; // a lock file of JGit's background gc, gone meanwhile
        }
        assertThat(text).as(f.toString()).doesNotContain("clone-canary-123");
      }
    }
  }

  @Test
  void aBranchPushedFromTheCloneButNotByEtaskIsNamedOnTheNextFetch() throws Exception {
    ObjectId ours;
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/ours.py"), "x = 1\n");
      repo.stage(repo.changes());
      ours = repo.commit("ours", "x", ME);
      repo.push("auto/x");
    }
    // a generator inside the clone commits and pushes to main by the origin's path
    try (Git inside = Git.open(tmp.resolve("c").toFile())) {
      Files.writeString(tmp.resolve("c/sneaky.py"), "y = 1\n");
      inside.add().addFilepattern("sneaky.py").call();
      RevCommit sneaky = inside.commit().setMessage("sneaky").setAuthor(ME).setCommitter(ME).setSign(false).call();
      inside.push().setRemote(origin.toString()).setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
          .call();
      try (GitRepo repo = reopen("c")) {
        List<String> pushed = repo.fetch(Map.of(), id -> id.equals(ours)).pushedFromHere();
        assertThat(pushed).containsExactly("refs/heads/main → " + sneaky.abbreviate(7).name());
        assertThat(repo.fetch(Map.of(), id -> true).pushedFromHere()).isEmpty();
      }
    }
    // the base moving on the origin by someone else is no such thing
    try (Git other = Git.cloneRepository().setURI(origin.toString()).setDirectory(tmp.resolve("o").toFile()).call()) {
      Files.writeString(tmp.resolve("o/README.md"), "moved\n");
      other.add().addFilepattern("README.md").call();
      other.commit().setMessage("base moves").setAuthor(ME).setCommitter(ME).setSign(false).call();
      other.push().call();
    }
    try (GitRepo repo = reopen("c")) {
      assertThat(repo.fetch(Map.of(), id -> false).pushedFromHere()).isEmpty();
    }
  }

  @Test
  void aReplacingPushHoldsOnlyWhileTheOriginStillHasTheExpectedCommit() throws Exception {
    ObjectId first;
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/a.py"), "a = 1\n");
      repo.stage(repo.changes());
      first = repo.commit("first", "x", ME);
      repo.push("auto/x");
    }
    try (GitRepo other = cloned("d")) {
      other.checkoutBranch("auto/x", other.remoteTracking("auto/x"));
      Files.writeString(tmp.resolve("d/b.py"), "b = 1\n");
      other.stage(other.changes());
      other.commit("a person's fix", "x", new PersonIdent("Pat", "pat@example.com"));
      other.push("auto/x");
    }
    try (GitRepo repo = reopen("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/a.py"), "a = 2\n");
      repo.stage(repo.changes());
      repo.commit("rewritten", "x", ME);
      assertThatThrownBy(() -> repo.push("auto/x", first)).isInstanceOf(GitException.class)
          .hasMessageContaining("REJECTED");
    }
  }

  @Test
  void ownershipIsBySha() throws Exception {
    PersonIdent pat = new PersonIdent("Pat", "pat@example.com");
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/a.py"), "a = 1\n");
      repo.stage(repo.changes());
      ObjectId made = repo.commit("ours", "x", ME);
      RevCommit mine = repo.headCommit();
      // a person amends it: the trailer stays, the committer changes
      RevCommit amended;
      try (Git git = Git.open(tmp.resolve("c").toFile())) {
        amended = git.commit().setAmend(true).setMessage(mine.getFullMessage()).setAuthor(mine.getAuthorIdent())
            .setCommitter(pat).setSign(false).call();
      }
      assertThat(GitRepo.isTaskCommit(amended, "x")).isTrue();
      Ownership fresh = new Ownership("x", java.util.Set.of(), ME);
      assertThat(fresh.isOurs(mine)).isTrue();
      assertThat(fresh.isOurs(amended)).isFalse();
      Ownership recorded = new Ownership("x", java.util.Set.of(made.name()), ME);
      assertThat(recorded.isOurs(mine)).isTrue();
      assertThat(recorded.isOurs(amended)).isFalse();
      assertThat(new Ownership("y", java.util.Set.of(), ME).isOurs(mine)).as("another task's trailer").isFalse();
      assertThat(Ownership.describe(amended)).contains("\"ours\"").contains("committed by Pat <pat@example.com>");
    }
  }

  @Test
  void gitLockFilesAreFound() throws Exception {
    try (GitRepo repo = cloned("c")) {
      assertThat(repo.lockFiles()).isEmpty();
      Files.writeString(tmp.resolve("c/.git/index.lock"), "");
      Files.createDirectories(tmp.resolve("c/.git/refs/heads/auto"));
      Files.writeString(tmp.resolve("c/.git/refs/heads/auto/x.lock"), "");
      assertThat(repo.lockFiles()).extracting(p -> p.getFileName().toString()).containsExactly("index.lock", "x.lock");
    }
  }

  @Test
  void originsKeepCredentialsOutOfTheirUrl() {
    Origin https = Origin.parse("https://bob:s3cr%2Ft@github.com/o/r.git");
    assertThat(https.url()).isEqualTo("https://github.com/o/r.git");
    assertThat(https.secrets()).containsExactly("s3cr/t");
    assertThat(https.credentials()).isNotNull();
    assertThat(Origin.parse("https://ghp_tokentokentoken@github.com/o/r").url()).isEqualTo("https://github.com/o/r");
    assertThat(Origin.parse("https://ghp_tokentokentoken@github.com/o/r").secrets()).containsExactly("ghp_tokentokentoken");
    assertThat(Origin.parse("ssh://git@github.com/o/r.git").url()).isEqualTo("ssh://git@github.com/o/r.git");
    assertThat(Origin.parse("ssh://git:pw1234@host/r.git").url()).isEqualTo("ssh://git@host/r.git");
    assertThat(Origin.parse("git@github.com:o/r.git").url()).isEqualTo("git@github.com:o/r.git");
    assertThat(Origin.parse("/srv/repo.git").credentials()).isNull();
    assertThat(Origin.parse("https://github.com/o/r@v1").url()).isEqualTo("https://github.com/o/r@v1");
    assertThat(Origin.parse("https://bob:pa/ss-word@host/o/r.git").url()).isEqualTo("https://host/o/r.git");
    assertThat(Origin.parse("https://bob:pa/ss-word@host/o/r.git").secrets()).containsExactly("pa/ss-word");
    assertThat(Origin.parse("https://host:8443/o/r@v1/x").url()).isEqualTo("https://host:8443/o/r@v1/x");
  }

  @Test
  void noHookEverRunsAndTheControlFilesAreRestoredOnOpen() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Path hookRan = tmp.resolve("hook-ran");
      Path hooks = tmp.resolve("c/.git/hooks");
      Files.createDirectories(hooks);
      for (String hook : List.of("post-commit", "pre-commit", "commit-msg", "pre-push", "post-rewrite")) {
        Files.writeString(hooks.resolve(hook), "#!/bin/sh\necho " + hook + " >> '" + hookRan + "'\n");
        hooks.resolve(hook).toFile().setExecutable(true);
      }
      Files.writeString(tmp.resolve("c/a.py"), "a = 1\n");
      repo.stage(repo.changes());
      repo.commit("ours", "x", ME);
      repo.push("auto/x");
      assertThat(hookRan).as("no hook ran").doesNotExist();
    }
    // a generator (or a run killed while one ran) leaves a filter, a remote and a hook behind
    Path config = tmp.resolve("c/.git/config");
    Files.writeString(config, Files.readString(config) + "[filter \"evil\"]\n\tclean = touch /tmp/x\n"
        + "[remote \"origin\"]\n\turl = https://u:token@host/r\n[core]\n\thooksPath = /tmp\n");
    Files.writeString(tmp.resolve("c/.git/hooks/post-commit"), "#!/bin/sh\n");
    Files.createDirectories(tmp.resolve("c/.git/info"));
    Files.writeString(tmp.resolve("c/.git/info/attributes"), "* filter=evil\n");
    try (GitRepo repo = reopen("c")) {
      assertThat(repo.sanitize(List.of(".coverage"))).contains("config", "hooks/post-commit", "info/attributes");
      assertThat(Files.readString(config)).doesNotContain("filter").doesNotContain("remote").doesNotContain("hooksPath")
          .contains("repositoryformatversion");
      assertThat(Files.readString(tmp.resolve("c/.git/info/exclude"))).isEqualTo(".coverage\n");
      assertThat(repo.sanitize(List.of(".coverage"))).isEmpty();
      assertThat(repo.changes()).isEmpty();
    }
  }

  @Test
  void aPushFromTheCloneIsSeenEvenWhenTheTrackingRefIsMovedToHideIt() throws Exception {
    Map<String, String> tips;
    try (GitRepo repo = cloned("c")) {
      tips = repo.fetch(Map.of(), id -> true).tips();
    }
    try (Git inside = Git.open(tmp.resolve("c").toFile())) {
      Files.writeString(tmp.resolve("c/sneaky.py"), "y = 1\n");
      inside.add().addFilepattern("sneaky.py").call();
      RevCommit sneaky = inside.commit().setMessage("sneaky").setAuthor(ME).setCommitter(ME).setSign(false).call();
      inside.push().setRemote(origin.toString())
          .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main")).call();
      var update = inside.getRepository().updateRef("refs/remotes/origin/main");
      update.setNewObjectId(sneaky);
      update.setForceUpdate(true);
      update.update();
      try (GitRepo repo = reopen("c")) {
        assertThat(repo.fetch(tips, id -> false).pushedFromHere())
            .containsExactly("refs/heads/main → " + sneaky.abbreviate(7).name());
      }
    }
  }
}
