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
    LocalOrigins.create(seed, origin, ME);
  }

  private GitRepo cloned(String name) throws Exception {
    return GitTransport.cloneInto(Origin.local(origin.toString()), tmp.resolve(name), Retry.NONE);
  }

  private GitRepo reopen(String name) throws Exception {
    return GitRepo.open(tmp.resolve(name));
  }

  private GitTransport t(GitRepo repo) {
    return new GitTransport(repo, Origin.local(origin.toString()), Retry.NONE);
  }

  @Test
  void originFromAPlainFolderHasOneCommitOnMain() throws Exception {
    assertThat(GitRepo.isRepository(origin)).isTrue();
    assertThat(GitRepo.isRepository(seed)).isFalse();
    try (GitRepo repo = cloned("c")) {
      assertThat(t(repo).remoteDefaultBranch()).isEqualTo("main");
      assertThat(repo.trackedFiles()).containsExactly("README.md", "src/app.py");
    }
  }

  @Test
  void aFreshCloneKnowsTheOriginsDefaultBranchAndBranchesWithoutRewritingFiles() throws Exception {
    ObjectId mainTip;
    try (Git o = Git.open(origin.toFile())) {
      mainTip = o.getRepository().resolve("refs/heads/main");
    }
    try (GitRepo work = cloned("w")) {
      Files.writeString(tmp.resolve("w/src/app.py"), "def f():\n    return 2\n");
      work.stage(work.changes());
      work.commit("dev work", "x", ME);
      try (Git o = Git.open(origin.toFile())) {
        new Git(work.repository())
            .push()
            .setRemote(origin.toString())
            .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/dev"))
            .call();
        o.getRepository().updateRef("HEAD").link("refs/heads/dev");
      }
    }
    try (GitRepo repo = cloned("c")) {
      assertThat(FreshClone.defaultBranch(repo)).isEqualTo("dev");
      assertThat(t(repo).remoteDefaultBranch()).isEqualTo("dev");
      Path app = tmp.resolve("c/src/app.py");
      Path index = tmp.resolve("c/.git/index");
      var indexBefore =
          Files.readAttributes(index, java.nio.file.attribute.BasicFileAttributes.class);
      FreshClone.branch(repo, "auto/x", repo.head());
      assertThat(repo.currentBranch()).isEqualTo("auto/x");
      assertThat(repo.changes()).isEmpty();
      var indexAfter =
          Files.readAttributes(index, java.nio.file.attribute.BasicFileAttributes.class);
      assertThat(indexAfter.fileKey())
          .as("no checkout wrote the index again")
          .isEqualTo(indexBefore.fileKey());
      assertThat(indexAfter.lastModifiedTime()).isEqualTo(indexBefore.lastModifiedTime());
      FreshClone.branch(repo, "auto/y", mainTip); // not HEAD: checked out
      assertThat(repo.currentBranch()).isEqualTo("auto/y");
      assertThat(repo.head()).isEqualTo(mainTip);
      assertThat(Files.readString(app)).isEqualTo("def f():\n    return 1\n");
    }
  }

  @Test
  void aLocalOriginIsClonedWithHardLinkedObjectsNoHooksAndNoRemote() throws Exception {
    Path hook = origin.resolve("hooks/post-checkout");
    Files.createDirectories(hook.getParent());
    Files.writeString(hook, "#!/bin/sh\ntouch \"$PWD/hook-ran\"\n");
    hook.toFile().setExecutable(true);
    try (GitRepo repo = cloned("c")) {
      assertThat(repo.remoteTracking("main")).isNotNull();
    }
    Path clone = tmp.resolve("c");
    assertThat(clone.resolve("hook-ran")).doesNotExist();
    assertThat(clone.resolve(".git/hooks/post-checkout")).doesNotExist();
    assertThat(Files.readString(clone.resolve(".git/config"))).doesNotContain("[remote");
    // the objects are the origin's files, linked: nothing was copied
    try (var objects = Files.walk(clone.resolve(".git/objects"))) {
      Path object =
          objects
              .filter(p -> Files.isRegularFile(p) && !p.toString().contains("/info/"))
              .findFirst()
              .orElseThrow();
      assertThat((int) Files.getAttribute(object, "unix:nlink")).isGreaterThan(1);
    }
    // a file: URL is a local origin too
    try (GitRepo repo =
        GitTransport.cloneInto(
            Origin.local(origin.toUri().toString()), tmp.resolve("u"), Retry.NONE)) {
      assertThat(repo.trackedFiles()).containsExactly("README.md", "src/app.py");
    }
    // without a sandbox nothing is linked: a test could write through a link into the origin
    try (GitRepo repo =
        GitTransport.cloneInto(
            Origin.local(origin.toString()), tmp.resolve("n"), Retry.NONE, false)) {
      assertThat(repo.trackedFiles()).containsExactly("README.md", "src/app.py");
    }
    try (var objects = Files.walk(tmp.resolve("n/.git/objects"))) {
      assertThat(objects.filter(Files::isRegularFile).toList())
          .isNotEmpty()
          .allSatisfy(p -> assertThat((int) Files.getAttribute(p, "unix:nlink")).isEqualTo(1));
    }
  }

  @Test
  void changesStagingDiffAndCommitWithTrailer() throws Exception {
    try (GitRepo repo = cloned("c")) {
      ObjectId base = repo.remoteTracking("main");
      repo.checkoutBranch("auto/x", base);
      Path wt = tmp.resolve("c");
      Files.writeString(
          wt.resolve("src/app.py"), "def f():\n    return 2\n\n\ndef g():\n    return 3\n");
      Files.createDirectories(wt.resolve("tests"));
      Files.writeString(wt.resolve("tests/test_app.py"), "def test():\n    pass\n");
      Files.delete(wt.resolve("README.md"));
      List<Change> changes = repo.changes();
      assertThat(changes)
          .containsExactly(
              new Change("README.md", Change.Kind.DELETED),
              new Change("src/app.py", Change.Kind.MODIFIED),
              new Change("tests/test_app.py", Change.Kind.ADDED));
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
  void restoreAlsoUndoesWhatIsOnlyStagedOrOnlyAnEmptyFolder() throws Exception {
    try (GitRepo repo = cloned("c")) {
      Path wt = tmp.resolve("c");
      Files.createDirectories(wt.resolve("empty/inside"));
      repo.restore();
      assertThat(wt.resolve("empty")).doesNotExist();
      Files.writeString(wt.resolve("src/app.py"), "staged");
      repo.stage(repo.changes());
      Files.writeString(wt.resolve("src/app.py"), "def f():\n    return 1\n");
      repo.restore();
      assertThat(repo.changes()).isEmpty();
      try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(wt.toFile())) {
        assertThat(git.status().call().isClean()).isTrue();
      }
      Files.writeString(wt.resolve(".git/MERGE_HEAD"), repo.head().name() + "\n");
      repo.restore(); // a clean tree, but a merge in progress: its next commit would take a parent
      assertThat(wt.resolve(".git/MERGE_HEAD")).doesNotExist();
    }
  }

  @Test
  void excludedByProductsAreNotChanges() throws Exception {
    try (GitRepo repo = cloned("c")) {
      new ControlFiles(repo).sanitize(List.of(".coverage", "__pycache__/", "*.egg-info/"));
      Path wt = tmp.resolve("c");
      Files.writeString(wt.resolve(".coverage"), "x");
      Files.createDirectories(wt.resolve("src/__pycache__"));
      Files.writeString(wt.resolve("src/__pycache__/app.pyc"), "x");
      assertThat(repo.changes()).isEmpty();
      assertThat(
              Files.readString(wt.resolve(".git/info/exclude")).lines().filter(".coverage"::equals))
          .hasSize(1);
      assertThat(
              new ControlFiles(repo).sanitize(List.of(".coverage", "__pycache__/", "*.egg-info/")))
          .isEmpty();
    }
  }

  @Test
  void pushIsCheckedAndRemoteHeadIsRead() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      assertThat(t(repo).remoteHead("auto/x")).isNull();
      Files.writeString(tmp.resolve("c/new.py"), "x = 1\n");
      repo.stage(repo.changes());
      ObjectId c = repo.commit("add", "x", ME);
      t(repo).push("auto/x");
      assertThat(t(repo).remoteHead("auto/x")).isEqualTo(c);
    }
    // someone else moves the branch: a plain push is refused, and the status says so
    try (GitRepo other = cloned("d")) {
      other.checkoutBranch("auto/x", other.remoteTracking("auto/x"));
      Files.writeString(tmp.resolve("d/other.py"), "y = 1\n");
      other.stage(other.changes());
      other.commit("theirs", "someone", ME);
      t(other).push("auto/x");
    }
    try (GitRepo repo = reopen("c")) {
      Files.writeString(tmp.resolve("c/third.py"), "z = 1\n");
      repo.stage(repo.changes());
      repo.commit("more", "x", ME);
      assertThatThrownBy(() -> t(repo).push("auto/x"))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("REJECTED_NONFASTFORWARD");
    }
  }

  @Test
  void theCloneHasNoRemoteAndNoCredentialAnywhereInItsGitFolder() throws Exception {
    try (GitRepo repo =
        GitTransport.cloneInto(
            Origin.parse("file://bob:clone-canary-123@" + origin.toAbsolutePath()),
            tmp.resolve("c"),
            Retry.NONE)) {
      assertThat(repo.originUrl()).isNull();
      new GitTransport(
              repo,
              Origin.parse("file://bob:clone-canary-123@" + origin.toAbsolutePath()),
              Retry.NONE)
          .fetch();
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
      t(repo).push("auto/x");
    }
    // a generator inside the clone commits and pushes to main by the origin's path
    try (Git inside = Git.open(tmp.resolve("c").toFile())) {
      Files.writeString(tmp.resolve("c/sneaky.py"), "y = 1\n");
      inside.add().addFilepattern("sneaky.py").call();
      RevCommit sneaky =
          inside.commit().setMessage("sneaky").setAuthor(ME).setCommitter(ME).setSign(false).call();
      inside
          .push()
          .setRemote(origin.toString())
          .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
          .call();
      try (GitRepo repo = reopen("c")) {
        List<String> pushed = t(repo).fetch(Map.of(), id -> id.equals(ours)).pushedFromHere();
        assertThat(pushed).containsExactly("refs/heads/main → " + sneaky.abbreviate(7).name());
        assertThat(t(repo).fetch(Map.of(), id -> true).pushedFromHere()).isEmpty();
      }
    }
    // the base moving on the origin by someone else is no such thing
    try (Git other =
        Git.cloneRepository()
            .setURI(origin.toString())
            .setDirectory(tmp.resolve("o").toFile())
            .call()) {
      Files.writeString(tmp.resolve("o/README.md"), "moved\n");
      other.add().addFilepattern("README.md").call();
      other.commit().setMessage("base moves").setAuthor(ME).setCommitter(ME).setSign(false).call();
      other.push().call();
    }
    try (GitRepo repo = reopen("c")) {
      assertThat(t(repo).fetch(Map.of(), id -> false).pushedFromHere()).isEmpty();
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
      t(repo).push("auto/x");
    }
    try (GitRepo other = cloned("d")) {
      other.checkoutBranch("auto/x", other.remoteTracking("auto/x"));
      Files.writeString(tmp.resolve("d/b.py"), "b = 1\n");
      other.stage(other.changes());
      other.commit("a person's fix", "x", new PersonIdent("Pat", "pat@example.com"));
      t(other).push("auto/x");
    }
    try (GitRepo repo = reopen("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Files.writeString(tmp.resolve("c/a.py"), "a = 2\n");
      repo.stage(repo.changes());
      repo.commit("rewritten", "x", ME);
      assertThatThrownBy(() -> t(repo).push("auto/x", first))
          .isInstanceOf(GitException.class)
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
        amended =
            git.commit()
                .setAmend(true)
                .setMessage(mine.getFullMessage())
                .setAuthor(mine.getAuthorIdent())
                .setCommitter(pat)
                .setSign(false)
                .call();
      }
      assertThat(GitRepo.isTaskCommit(amended, "x")).isTrue();
      Ownership fresh = new Ownership("x", java.util.Set.of(), ME);
      assertThat(fresh.isOurs(mine)).isTrue();
      assertThat(fresh.isOurs(amended)).isFalse();
      Ownership recorded = new Ownership("x", java.util.Set.of(made.name()), ME);
      assertThat(recorded.isOurs(mine)).isTrue();
      assertThat(recorded.isOurs(amended)).isFalse();
      assertThat(new Ownership("y", java.util.Set.of(), ME).isOurs(mine))
          .as("another task's trailer")
          .isFalse();
      assertThat(Ownership.describe(amended))
          .contains("\"ours\"")
          .contains("committed by Pat <pat@example.com>");
    }
  }

  @Test
  void gitLockFilesAreFound() throws Exception {
    try (GitRepo repo = cloned("c")) {
      assertThat(new ControlFiles(repo).lockFiles()).isEmpty();
      Files.writeString(tmp.resolve("c/.git/index.lock"), "");
      Files.createDirectories(tmp.resolve("c/.git/refs/heads/auto"));
      Files.writeString(tmp.resolve("c/.git/refs/heads/auto/x.lock"), "");
      assertThat(new ControlFiles(repo).lockFiles())
          .extracting(p -> p.getFileName().toString())
          .containsExactly("index.lock", "x.lock");
    }
  }

  @Test
  void originsKeepCredentialsOutOfTheirUrl() {
    Origin https = Origin.parse("https://bob:s3cr%2Ft@github.com/o/r.git");
    assertThat(https.url()).isEqualTo("https://github.com/o/r.git");
    assertThat(https.secrets()).containsExactly("s3cr/t");
    assertThat(https.credentials()).isNotNull();
    assertThat(Origin.parse("https://ghp_tokentokentoken@github.com/o/r").url())
        .isEqualTo("https://github.com/o/r");
    assertThat(Origin.parse("https://ghp_tokentokentoken@github.com/o/r").secrets())
        .containsExactly("ghp_tokentokentoken");
    assertThat(Origin.parse("ssh://git@github.com/o/r.git").url())
        .isEqualTo("ssh://git@github.com/o/r.git");
    assertThat(Origin.parse("ssh://git:pw1234@host/r.git").url()).isEqualTo("ssh://git@host/r.git");
    assertThat(Origin.parse("git@github.com:o/r.git").url()).isEqualTo("git@github.com:o/r.git");
    assertThat(Origin.parse("/srv/repo.git").credentials()).isNull();
    assertThat(Origin.parse("https://github.com/o/r@v1").url())
        .isEqualTo("https://github.com/o/r@v1");
    assertThat(Origin.parse("https://bob:pa/ss-word@host/o/r.git").url())
        .isEqualTo("https://host/o/r.git");
    assertThat(Origin.parse("https://bob:pa/ss-word@host/o/r.git").secrets())
        .containsExactly("pa/ss-word");
    assertThat(Origin.parse("https://host:8443/o/r@v1/x").url())
        .isEqualTo("https://host:8443/o/r@v1/x");
  }

  @Test
  void noHookEverRunsAndTheControlFilesAreRestoredOnOpen() throws Exception {
    try (GitRepo repo = cloned("c")) {
      repo.checkoutBranch("auto/x", repo.remoteTracking("main"));
      Path hookRan = tmp.resolve("hook-ran");
      Path hooks = tmp.resolve("c/.git/hooks");
      Files.createDirectories(hooks);
      for (String hook :
          List.of("post-commit", "pre-commit", "commit-msg", "pre-push", "post-rewrite")) {
        Files.writeString(
            hooks.resolve(hook), "#!/bin/sh\necho " + hook + " >> '" + hookRan + "'\n");
        hooks.resolve(hook).toFile().setExecutable(true);
      }
      Files.writeString(tmp.resolve("c/a.py"), "a = 1\n");
      repo.stage(repo.changes());
      repo.commit("ours", "x", ME);
      t(repo).push("auto/x");
      assertThat(hookRan).as("no hook ran").doesNotExist();
    }
    // a generator (or a run killed while one ran) leaves a filter, a remote and a hook behind
    Path config = tmp.resolve("c/.git/config");
    Files.writeString(
        config,
        Files.readString(config)
            + "[filter \"evil\"]\n\tclean = touch /tmp/x\n"
            + "[remote \"origin\"]\n\turl = https://u:token@host/r\n[core]\n\thooksPath = /tmp\n");
    Files.writeString(tmp.resolve("c/.git/hooks/post-commit"), "#!/bin/sh\n");
    Files.createDirectories(tmp.resolve("c/.git/info"));
    Files.writeString(tmp.resolve("c/.git/info/attributes"), "* filter=evil\n");
    try (GitRepo repo = reopen("c")) {
      assertThat(new ControlFiles(repo).sanitize(List.of(".coverage")))
          .contains("config", "hooks/post-commit", "info/attributes");
      assertThat(Files.readString(config))
          .doesNotContain("filter")
          .doesNotContain("remote")
          .doesNotContain("hooksPath")
          .contains("repositoryformatversion");
      assertThat(Files.readString(tmp.resolve("c/.git/info/exclude"))).isEqualTo(".coverage\n");
      assertThat(new ControlFiles(repo).sanitize(List.of(".coverage"))).isEmpty();
      assertThat(repo.changes()).isEmpty();
    }
  }

  @Test
  void aPushFromTheCloneIsSeenEvenWhenTheTrackingRefIsMovedToHideIt() throws Exception {
    Map<String, String> tips;
    try (GitRepo repo = cloned("c")) {
      tips = t(repo).fetch(Map.of(), id -> true).tips();
    }
    try (Git inside = Git.open(tmp.resolve("c").toFile())) {
      Files.writeString(tmp.resolve("c/sneaky.py"), "y = 1\n");
      inside.add().addFilepattern("sneaky.py").call();
      RevCommit sneaky =
          inside.commit().setMessage("sneaky").setAuthor(ME).setCommitter(ME).setSign(false).call();
      inside
          .push()
          .setRemote(origin.toString())
          .setRefSpecs(new org.eclipse.jgit.transport.RefSpec("HEAD:refs/heads/main"))
          .call();
      var update = inside.getRepository().updateRef("refs/remotes/origin/main");
      update.setNewObjectId(sneaky);
      update.setForceUpdate(true);
      update.update();
      try (GitRepo repo = reopen("c")) {
        assertThat(t(repo).fetch(tips, id -> false).pushedFromHere())
            .containsExactly("refs/heads/main → " + sneaky.abbreviate(7).name());
      }
    }
  }

  @Test
  void exportHeadWritesHeadsFilesAndNeedsOnlyHeadsObjects() throws Exception {
    Path work = tmp.resolve("w");
    String gone;
    try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
      Files.writeString(work.resolve("big.bin"), "history only\n");
      Files.writeString(work.resolve("run.sh"), "#!/bin/sh\necho hi\n");
      work.resolve("run.sh").toFile().setExecutable(true);
      Files.createSymbolicLink(work.resolve("link.py"), Path.of("run.sh"));
      git.add().addFilepattern(".").call();
      git.commit().setMessage("one").setAuthor(ME).setCommitter(ME).setSign(false).call();
      gone = git.getRepository().resolve("HEAD:big.bin").name();
      git.rm().addFilepattern("big.bin").call();
      Files.createDirectories(work.resolve("pkg"));
      Files.writeString(work.resolve("pkg/mod.py"), "X = 1\n");
      git.add().addFilepattern(".").call();
      git.commit().setMessage("two").setAuthor(ME).setCommitter(ME).setSign(false).call();
    }
    // like a partial clone: a blob only the history needs is missing
    Files.delete(work.resolve(".git/objects/" + gone.substring(0, 2) + "/" + gone.substring(2)));
    Files.writeString(work.resolve("pkg/mod.py"), "X = 2  # changed in the working tree\n");
    Path head = tmp.resolve("head");
    try (GitRepo repo = GitRepo.open(work)) {
      repo.exportHead(head);
    }
    assertThat(Files.readString(head.resolve("pkg/mod.py"))).isEqualTo("X = 1\n");
    assertThat(Files.isExecutable(head.resolve("run.sh"))).isTrue();
    assertThat(Files.isSymbolicLink(head.resolve("link.py"))).isTrue();
    assertThat(Files.readSymbolicLink(head.resolve("link.py"))).isEqualTo(Path.of("run.sh"));
    assertThat(head.resolve("big.bin")).doesNotExist();
    assertThat(head.resolve(".git")).doesNotExist();

    // a blob HEAD needs is missing: said plainly
    String needed;
    try (Git git = Git.open(work.toFile())) {
      needed = git.getRepository().resolve("HEAD:pkg/mod.py").name();
    }
    Files.delete(
        work.resolve(".git/objects/" + needed.substring(0, 2) + "/" + needed.substring(2)));
    try (GitRepo repo = GitRepo.open(work)) {
      assertThatThrownBy(() -> repo.exportHead(tmp.resolve("head2")))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("HEAD's tree has missing objects")
          .hasMessageContaining("partial clone");
    }
  }

  @Test
  void aBinaryFileCountsAsBinaryNeverAsLines() throws Exception {
    try (GitRepo repo = cloned("bin")) {
      byte[] data = new byte[1 << 20];
      new java.util.Random(7).nextBytes(data);
      data[0] = 0; // git's test for binary: a NUL byte
      Files.write(tmp.resolve("bin/src/blob.bin"), data);
      Files.writeString(tmp.resolve("bin/src/app.py"), "def f():\n    return 2\n");
      repo.stage(repo.changes());
      DiffStats d = repo.stagedDiff();
      assertThat(d.files()).isEqualTo(2);
      assertThat(d.binary()).isEqualTo(1);
      assertThat(d.lines()).as("only the text file's lines").isEqualTo(2);
      assertThat(d.addedLines()).doesNotContainKey("src/blob.bin");
    }
  }
}
