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
    assertThat(ws.statusFile()).isEqualTo(tmp.resolve("work/artifacts/t/status.json").toAbsolutePath());
    assertThat(Workspace.of(tmp.resolve("work"), tmp.resolve("out"), "t").statusFile())
        .isEqualTo(tmp.resolve("out/t/status.json").toAbsolutePath());
    assertThat(ws.on(tmp.resolve("elsewhere")).repo()).isEqualTo(tmp.resolve("elsewhere").toAbsolutePath());
    assertThat(ws.on(tmp.resolve("elsewhere")).venv()).isEqualTo(ws.venv());
  }

  @Test
  void aSecondRunOfTheSameTaskIsLockedOut() throws Exception {
    Path lock = tmp.resolve("t/.lock");
    try (TaskLock first = TaskLock.acquire(lock, "t")) {
      assertThatThrownBy(() -> TaskLock.acquire(lock, "t")).isInstanceOf(TaskLock.LockedException.class)
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
  void cleanRemovesTheWorkspaceButNotTheArtifacts() throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    Files.writeString(ws.stateFile(), "{}");
    Files.createDirectories(ws.repo().resolve("src"));
    Files.writeString(ws.statusFile(), "{}");
    List<String> said = new ArrayList<>();
    Listener out = new Listener() {
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
    assertThat(said.get(0)).contains("removed the workspace of task 't'").contains("Kept: " + ws.artifacts());
    assertThat(Cleaner.clean(tmp.resolve("work"), null, "t", out)).isFalse();
    assertThat(said.get(1)).contains("nothing to clean");
  }

  @Test
  void cleanRefusesWhileTheTaskRuns() throws Exception {
    Workspace ws = Workspace.of(tmp.resolve("work"), null, "t");
    ws.createFolders();
    try (TaskLock running = TaskLock.acquire(ws.lockFile(), "t")) {
      assertThatThrownBy(() -> Cleaner.clean(tmp.resolve("work"), null, "t", Listener.silent()))
          .isInstanceOf(EtaskException.class).hasMessageContaining("in progress");
      assertThat(ws.root()).exists();
    }
  }
}
