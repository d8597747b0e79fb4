package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.etask.core.spec.EtaskException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code etask:launch}: many tasks in one JVM, each isolated, the worst result reported. */
class LaunchTest {
  @TempDir Path tmp;

  @Test
  void tasksRunSideBySideInOneJvmAndAnInvalidSpecIsOneResultAmongTheOthers() throws Exception {
    EngineKit kit = new EngineKit(tmp);
    String spec = Files.readString(kit.spec);
    Path specs = Files.createDirectories(tmp.resolve("specs"));
    Files.writeString(specs.resolve("one.yaml"), spec);
    Files.writeString(specs.resolve("two.yml"), spec.replace("id: t\n", "id: t2\n"));
    Files.writeString(specs.resolve("bad.yaml"), spec.replace("id: t\n", "id: Not An Id\n"));
    Files.writeString(specs.resolve("notes.txt"), "not a spec\n");
    List<String> lines = Collections.synchronizedList(new ArrayList<>());

    List<Launch.Result> results = launch(kit, lines);

    assertThat(results).extracting(Launch.Result::id).containsExactly("bad", "t", "t2");
    assertThat(results).extracting(Launch.Result::exitCode).containsExactly(1, 0, 0);
    assertThat(results.get(0).summary()).isEqualTo("invalid task spec");
    assertThat(results.get(1).status()).exists();
    assertThat(lines).anyMatch(l -> l.startsWith("[bad] WARN invalid task spec"));
    assertThat(lines).anyMatch(l -> l.startsWith("[one] ── AGGREGATE"));
    assertThat(lines).anyMatch(l -> l.startsWith("[two] ── AGGREGATE"));
    // each task delivered its own branch, from its own workspace
    try (Git git = Git.open(kit.origin.toFile())) {
      assertThat(git.getRepository().exactRef("refs/heads/auto/t")).isNotNull();
      assertThat(git.getRepository().exactRef("refs/heads/auto/t2")).isNotNull();
    }
    assertThat(kit.work.resolve("t/state.json")).exists();
    assertThat(kit.work.resolve("t2/state.json")).exists();
  }

  @Test
  void twoSpecsWithOneIdRunOnceAndTheOtherIsSaidNotRun() throws Exception {
    EngineKit kit = new EngineKit(tmp);
    Path specs = Files.createDirectories(tmp.resolve("specs"));
    Files.writeString(specs.resolve("a.yaml"), Files.readString(kit.spec));
    Files.writeString(specs.resolve("b.yaml"), Files.readString(kit.spec));
    List<String> lines = Collections.synchronizedList(new ArrayList<>());

    List<Launch.Result> results = launch(kit, lines);

    assertThat(results).extracting(Launch.Result::exitCode).containsExactly(0, 1);
    assertThat(results.get(1).summary())
        .isEqualTo("the id 't' is also the id of " + specs.resolve("a.yaml") + ": not run");
    assertThat(lines).noneMatch(l -> l.startsWith("[b] ── PREPARE"));
  }

  /**
   * The specs in {@code tmp/specs}, two at a time, with the kit's fakes, lines into {@code lines}.
   */
  private List<Launch.Result> launch(EngineKit kit, List<String> lines) {
    return Launch.run(
        Launch.specs(tmp, "specs").stream().map(kit::config).toList(),
        2,
        name -> kit.recording(name, lines),
        (config, listener) -> Engine.open(config, listener, kit.tools()));
  }

  @Test
  void specsAreAFoldersYamlFilesOrWhatAGlobMatches() throws Exception {
    Path specs = Files.createDirectories(tmp.resolve("tasks/nightly"));
    for (String name : List.of("b.yaml", "a.yml", "c.txt")) {
      Files.writeString(specs.resolve(name), "");
    }
    Files.writeString(tmp.resolve("tasks/other.yaml"), "");

    assertThat(Launch.specs(tmp, "tasks/nightly"))
        .containsExactly(specs.resolve("a.yml"), specs.resolve("b.yaml"));
    assertThat(Launch.specs(tmp, "tasks/*.yaml")).containsExactly(tmp.resolve("tasks/other.yaml"));
    assertThat(Launch.specs(tmp, "tasks/**/*.yaml")).containsExactly(specs.resolve("b.yaml"));
    assertThatThrownBy(() -> Launch.specs(tmp, "nothing/*.yaml"))
        .isInstanceOf(EtaskException.class)
        .hasMessageContaining("no task specs in nothing/*.yaml")
        .satisfies(e -> assertThat(((EtaskException) e).nextStep()).contains("-Detask.tasks"));
    assertThatThrownBy(() -> Launch.specs(tmp, null))
        .isInstanceOf(EtaskException.class)
        .satisfies(e -> assertThat(((EtaskException) e).nextStep()).contains("-Detask.tasks"));
  }
}
