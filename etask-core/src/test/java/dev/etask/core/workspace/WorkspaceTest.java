package dev.etask.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etask.core.engine.Cleaner;
import dev.etask.core.engine.Listener;
import dev.etask.core.spec.EtaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {
  @TempDir Path tmp;

  @Test
  void layout() {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    assertThat(ws.repo()).isEqualTo(tmp.resolve("work/t/repo").toAbsolutePath());
    assertThat(ws.stateFile()).isEqualTo(tmp.resolve("work/t/state.json").toAbsolutePath());
    assertThat(ws.statusFile())
        .isEqualTo(tmp.resolve("work/artifacts/t/status.json").toAbsolutePath());
    assertThat(Workspace.of(tmp.resolve("work"), tmp.resolve("out"), "t").statusFile())
        .isEqualTo(tmp.resolve("out/t/status.json").toAbsolutePath());
    assertThat(ws.on(tmp.resolve("elsewhere")).repo())
        .isEqualTo(tmp.resolve("elsewhere").toAbsolutePath());
    assertThat(ws.on(tmp.resolve("elsewhere")).venv()).isEqualTo(ws.venv());
  }

  @Test
  void aSecondRunOfTheSameTaskIsLockedOut() throws Exception {
    Path lock = tmp.resolve("t/.lock");
    try (TaskLock first = TaskLock.acquire(lock, "t")) {
      assertThatThrownBy(() -> TaskLock.acquire(lock, "t"))
          .isInstanceOf(TaskLock.LockedException.class)
          .hasMessageContaining("another etask run of task 't' is in progress")
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }
    try (TaskLock again = TaskLock.acquire(lock, "t")) {
      assertThat(again).isNotNull();
    }
  }

  @Test
  void atomicWritesReplaceWholeFilesAndLeaveNoTemporaryFile() throws Exception {
    Path f = tmp.resolve("d/state.json");
    AtomicFiles.write(f, "one");
    AtomicFiles.write(f, "two");
    assertThat(Files.readString(f)).isEqualTo("two");
    try (var files = Files.list(f.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("state.json");
    }
  }

  @Test
  void aFullDiskLeavesTheOldFileWholeAndNoTemporaryFile() throws Exception {
    // a 64 KiB file system (etask's tests run as root, as .ci/run does)
    Path disk = Files.createDirectories(tmp.resolve("disk"));
    Process mount =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString())
            .redirectErrorStream(true)
            .start();
    String said = new String(mount.getInputStream().readAllBytes());
    assertThat(mount.waitFor()).as("mounting a small tmpfs (needs root): " + said).isZero();
    try {
      Path f = disk.resolve("state.json");
      AtomicFiles.write(f, "{\"batch\": 1}");
      byte[] big = new byte[256 * 1024];
      assertThatThrownBy(() -> AtomicFiles.write(f, big))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("No space left");
      assertThat(Files.readString(f)).isEqualTo("{\"batch\": 1}");
      try (var files = Files.list(disk)) {
        assertThat(files.map(p -> p.getFileName().toString()).toList())
            .containsExactly("state.json");
      }
    } finally {
      new ProcessBuilder("umount", disk.toString()).start().waitFor();
    }
  }

  @Test
  void cleanRemovesTheWorkspaceButNotTheArtifacts() throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    Files.writeString(ws.stateFile(), "{}");
    Files.createDirectories(ws.repo().resolve("src"));
    Files.writeString(ws.statusFile(), "{}");
    List<String> said = new ArrayList<>();
    Listener out =
        new Listener() {
          @Override
          public void phase(String name, String detail) {}

          @Override
          public void info(String line) {
            said.add(line);
          }

          @Override
          public void warn(String line) {
            said.add(line);
          }
        };
    assertThat(Cleaner.clean(tmp.resolve("work"), null, "t", out)).isTrue();
    assertThat(ws.root()).doesNotExist();
    assertThat(ws.statusFile()).exists();
    assertThat(said.get(0))
        .contains("removed the workspace of task 't'")
        .contains("Kept: " + ws.artifacts());
    assertThat(Cleaner.clean(tmp.resolve("work"), null, "t", out)).isFalse();
    assertThat(said.get(1)).contains("nothing to clean");
  }

  @Test
  void cleanRefusesWhileTheTaskRuns() throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    try (TaskLock running = TaskLock.acquire(ws.lockFile(), "t")) {
      assertThatThrownBy(() -> Cleaner.clean(tmp.resolve("work"), null, "t", Listener.silent()))
          .isInstanceOf(EtaskException.class)
          .hasMessageContaining("in progress");
      assertThat(ws.root()).exists();
    }
  }

  @Test
  void cleanNeverDeletesOutsideTheWorkFolderOrEtasksOwnFolders() throws Exception {
    Path work = tmp.resolve("project/target/etask");
    Files.createDirectories(work.resolve("artifacts/other"));
    Files.writeString(work.resolve("artifacts/other/status.json"), "{}");
    Files.createDirectories(work.resolve("origins/x.git"));
    Files.createDirectories(tmp.resolve("project/target/victim"));
    Files.createDirectories(tmp.resolve("project/src"));
    for (String id :
        List.of("../victim", "../..", "artifacts", "origins", "..", "a/b", "UPPER", "")) {
      assertThatThrownBy(() -> Cleaner.clean(work, null, id, Listener.silent()))
          .as(id)
          .isInstanceOf(EtaskException.class)
          .hasMessageContaining("etask:clean refuses");
    }
    assertThat(tmp.resolve("project/target/victim")).exists();
    assertThat(tmp.resolve("project/src")).exists();
    assertThat(work.resolve("artifacts/other/status.json")).exists();
    assertThat(work.resolve("origins/x.git")).exists();
  }

  @Test
  void cleanDeletesOnlyAFolderMarkedAsThatTasksWorkspace() throws Exception {
    Path work = tmp.resolve("work");
    Files.createDirectories(work.resolve("unmarked/keep"));
    assertThatThrownBy(() -> Cleaner.clean(work, null, "unmarked", Listener.silent()))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("has no .etask-workspace marker");
    assertThat(work.resolve("unmarked/keep")).exists();

    Workspace other = Workspace.of(work, null, "other");
    other.createFolders();
    Files.createDirectories(work.resolve("renamed"));
    Files.copy(other.markerFile(), work.resolve("renamed/.etask-workspace"));
    assertThatThrownBy(() -> Cleaner.clean(work, null, "renamed", Listener.silent()))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("marked as the workspace of task 'other'");

    // a workspace that is a link to a folder elsewhere: the folder elsewhere stays
    Path elsewhere = tmp.resolve("elsewhere");
    Files.createDirectories(elsewhere.resolve("precious"));
    Files.writeString(elsewhere.resolve(".etask-workspace"), "linked\n");
    Files.createSymbolicLink(work.resolve("linked"), elsewhere);
    assertThatThrownBy(() -> Cleaner.clean(work, null, "linked", Listener.silent()))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("outside the work folder");
    assertThat(elsewhere.resolve("precious")).exists();
  }

  @Test
  void workspacesRefuseIdsThatAreNotTaskIds() {
    assertThatThrownBy(() -> Workspace.of(tmp, null, "../x"))
        .hasMessageContaining("invalid task id");
    assertThatThrownBy(() -> Workspace.of(tmp, null, "origins")).hasMessageContaining("reserved");
  }

  @Test
  void aGeneratorThatInstallsIntoTheVenvIsSeen() throws Exception {
    Path venv = tmp.resolve("venv");
    Path site = venv.resolve("lib/python3.11/site-packages");
    Files.createDirectories(site.resolve("pytest"));
    Files.createDirectories(site.resolve("pytest-8.0.dist-info"));
    Files.writeString(
        site.resolve("pytest-8.0.dist-info/entry_points.txt"), "[console_scripts]\npytest = x\n");
    Files.createDirectories(venv.resolve("bin"));
    Files.writeString(venv.resolve("bin/pytest"), "#!python\n");
    Files.writeString(venv.resolve("pyvenv.cfg"), "home = /usr\n");
    var before = VenvSeal.of(venv);
    assertThat(VenvSeal.changes(before, VenvSeal.of(venv))).isEmpty();
    Files.writeString(site.resolve("zz_cheat.pth"), "import os\n");
    Files.writeString(
        site.resolve("pytest-8.0.dist-info/entry_points.txt"), "[pytest11]\ncheat = cheat\n");
    Files.writeString(venv.resolve("bin/pytest"), "#!python\nimport cheat\n");
    Files.createDirectories(site.resolve("cheat"));
    Files.writeString(site.resolve("cheat/__init__.py"), "x = 1\n");
    Files.writeString(site.resolve("pytest/__init__.py"), "changed inside a package\n");
    assertThat(VenvSeal.changes(before, VenvSeal.of(venv)))
        .containsExactly(
            "bin/pytest (changed)",
            "lib/python3.11/site-packages/cheat/__init__.py (added)",
            "lib/python3.11/site-packages/pytest-8.0.dist-info/entry_points.txt (changed)",
            "lib/python3.11/site-packages/pytest/__init__.py (added)",
            "lib/python3.11/site-packages/zz_cheat.pth (added)");
  }

  @Test
  void aSameSizeEditWhoseModificationTimeIsSetBackIsSeenUnlessTheFileIsLinkedFromACache()
      throws Exception {
    Path venv = tmp.resolve("venv");
    Path site = venv.resolve("lib/python3.11/site-packages");
    Path own = site.resolve("coverage/report.py");
    Path linked = site.resolve("pytest/main.py");
    Files.createDirectories(own.getParent());
    Files.createDirectories(linked.getParent());
    Files.writeString(own, "ok = 1\n");
    Path cached = Files.createDirectories(tmp.resolve("uv-cache")).resolve("main.py");
    Files.writeString(cached, "x = 1\n");
    Files.createLink(linked, cached); // as uv installs: one inode with its cache
    var before = VenvSeal.of(venv);
    var mtime = Files.getLastModifiedTime(own);
    Thread.sleep(20);
    Files.writeString(own, "ok = 0\n"); // the same size
    Files.setLastModifiedTime(own, mtime);
    // another task's install links the cached file again: its status changes, not its content
    Files.createLink(tmp.resolve("uv-cache/other-venv-main.py"), cached);
    assertThat(VenvSeal.changes(before, VenvSeal.of(venv)))
        .containsExactly("lib/python3.11/site-packages/coverage/report.py (changed)");
  }

  @Test
  void aChangeIsDatedByTheStatusChangeTimeOfItAndOfEveryFolderOnTheWay() throws Exception {
    Path venv = tmp.resolve("venv");
    for (String f :
        List.of("lib/before.py", "lib/forged.py", "old/removed.py", "gone/removed.py")) {
      Files.createDirectories(venv.resolve(f).getParent());
      Files.writeString(venv.resolve(f), "x = 1\n");
    }
    Files.delete(venv.resolve("old/removed.py"));
    Path elsewhere = tmp.resolve("made-earlier/pkg");
    Files.createDirectories(elsewhere);
    Files.writeString(elsewhere.resolve("__init__.py"), "import cheat\n");
    Path copy = tmp.resolve("copy-of-lib");
    Files.createDirectories(copy);
    Files.writeString(copy.resolve("before.py"), "x = 2\n");
    var old = Files.getLastModifiedTime(venv.resolve("lib/forged.py"));
    var mark = VenvSeal.mark(tmp.resolve("start")); // no pause: the mark waits for the next tick
    assertThat(VenvSeal.changedSince(venv, "lib/before.py", mark)).isFalse();
    assertThat(VenvSeal.changedSince(venv, "old/removed.py", mark)).as("removed before").isFalse();
    Files.delete(venv.resolve("gone/removed.py"));
    Files.writeString(venv.resolve("lib/forged.py"), "x = 2\n");
    Files.setLastModifiedTime(venv.resolve("lib/forged.py"), old);
    Files.move(elsewhere, venv.resolve("old/pkg"));
    assertThat(VenvSeal.changedSince(venv, "gone/removed.py", mark)).as("removed after").isTrue();
    assertThat(VenvSeal.changedSince(venv, "lib/forged.py", mark)).as("time set back").isTrue();
    assertThat(VenvSeal.changedSince(venv, "old/pkg/__init__.py", mark)).as("moved in").isTrue();
    Path lib = venv.resolve("lib");
    Files.move(lib, tmp.resolve("lib-aside"));
    Files.createSymbolicLink(lib, copy);
    assertThat(VenvSeal.changedSince(venv, "lib/before.py", mark)).as("swapped in").isTrue();
  }

  @Test
  void aFolderEtaskDidNotMakeNeverBecomesAWorkspace() throws Exception {
    Path work = tmp.resolve("src");
    Files.createDirectories(work.resolve("payments-service/src"));
    Files.writeString(work.resolve("payments-service/src/a.py"), "precious = 1\n");
    Workspace ws = Workspace.of(work, null, "payments-service");
    assertThatThrownBy(ws::createFolders)
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("already exists and is not an etask workspace");
    assertThat(ws.markerFile()).doesNotExist();
    assertThatThrownBy(() -> Cleaner.clean(work, null, "payments-service", Listener.silent()))
        .isInstanceOf(EtaskException.class);
    assertThat(work.resolve("payments-service/src/a.py")).exists();
    Files.createDirectories(work.resolve("empty"));
    Workspace.of(work, null, "empty").createFolders();
    assertThat(Workspace.markerId(work.resolve("empty"))).isEqualTo("empty");
    assertThatThrownBy(() -> Workspace.of(work, work.resolve("out"), "out"))
        .hasMessageContaining("inside etask.workDir");
    assertThatThrownBy(() -> Workspace.of(work, work, "x"))
        .hasMessageContaining("inside etask.workDir");
    assertThat(Workspace.of(work, work.resolve("artifacts"), "x").statusFile())
        .isEqualTo(work.resolve("artifacts/x/status.json").toAbsolutePath());
  }
}
