package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The first five minutes: {@code etask:init} in a clone of a repository writes a spec that loads, a
 * dry run previews everything up to the push and leaves the origin untouched, and the run delivers.
 */
class InitIT extends MavenProcesses {
  @Test
  void initThenDryRunThenRun() throws Exception {
    Path checkout = dir.resolve("checkout");
    git(dir, "clone", "-q", dir.resolve("origin.git").toString(), checkout.toString());
    // a generator of the user's beside the specs (the custom type runs a command)
    Files.createDirectories(checkout.resolve("tasks"));
    Files.copy(dir.resolve("characterize.py"), checkout.resolve("tasks/characterize.py"));
    Path log = dir.resolve("init.log");
    int exit =
        toTheEnd(
            mavenIn(
                checkout,
                "init",
                log,
                Map.of(),
                "-Detask.type=custom",
                "-Detask.id=payment-tests",
                "-Detask.command=python {spec_dir}/characterize.py {file}",
                "-Detask.include=src/service/payment.py"),
            log);
    assertThat(exit).as(read(log)).isZero();
    Path spec = checkout.resolve("tasks/payment-tests.yaml");
    String text = Files.readString(spec);
    assertThat(text)
        .startsWith(
            "# yaml-language-server: $schema=schema/task.schema.json\n"
                + "# Written by etask:init. Detected: src layout; tests in tests/, run by pytest")
        .contains("mvn etask:run -Detask.spec=tasks/payment-tests.yaml -Detask.dryRun")
        .contains("type: custom")
        .contains("command: \"python {spec_dir}/characterize.py {file}\"")
        .contains("url: \"" + dir.resolve("origin.git") + "\"");
    TaskSpec loaded = SpecLoader.load(spec);
    assertThat(loaded.id()).isEqualTo("payment-tests");
    assertThat(loaded.generator().command()).isEqualTo("python {spec_dir}/characterize.py {file}");
    assertThat(Files.readString(checkout.resolve(".mvn/jvm.config")))
        .contains("-XX:TieredStopAtLevel=1");
    // the schema the spec's first line names, beside it: the one this plugin's loader reads
    assertThat(checkout.resolve("tasks/schema/task.schema.json"))
        .hasSameTextualContentAs(TaskSchemaTest.TASKS);

    // never over an existing spec; an include that matches nothing is said at once
    Path again = dir.resolve("again.log");
    assertThat(
            toTheEnd(
                mavenIn(
                    checkout,
                    "init",
                    again,
                    Map.of(),
                    "-Detask.id=payment-tests",
                    "-Detask.include=src/service/payment.py"),
                again))
        .isNotZero();
    assertThat(read(again)).contains("exists: not overwritten");
    assertThat(Files.readString(spec)).isEqualTo(text);
    Path none = dir.resolve("none.log");
    assertThat(
            toTheEnd(
                mavenIn(checkout, "init", none, Map.of(), "-Detask.include=src/nothing/*.py"),
                none))
        .isNotZero();
    assertThat(read(none)).contains("matches no file of");

    // the dry run: everything up to the push, the origin untouched, no PR
    String refs = git(dir.resolve("origin.git"), "for-each-ref");
    Path dry = dir.resolve("dry.log");
    assertThat(
            toTheEnd(
                mavenIn(
                    checkout,
                    "run",
                    dry,
                    Map.of(),
                    "-Detask.spec=tasks/payment-tests.yaml",
                    "-Detask.dryRun",
                    "-X"),
                dry))
        .as(read(dry))
        .isZero();
    assertThat(read(dry))
        .contains("dry run: would push auto/payment-tests")
        .contains("dry run: the pull request would be titled: ")
        // -X: each command with its duration and exit, and what the rule book decided from
        .containsPattern("\\[DEBUG\\] ran .*python.* in \\d+\\.\\d\\ds: exit \\d+")
        .contains("[DEBUG] rule book inputs for batch 1/1: {");
    assertThat(git(dir.resolve("origin.git"), "for-each-ref")).isEqualTo(refs);
    Path artifacts = checkout.resolve("target/etask/artifacts/payment-tests");
    assertThat(Files.readString(artifacts.resolve("etask.patch")))
        .contains("+++ b/tests/test_payment");
    assertThat(artifacts.resolve("pr.json")).doesNotExist();

    // the run delivers what the dry run prepared
    Path run = dir.resolve("run.log");
    assertThat(
            toTheEnd(
                mavenIn(
                    checkout, "run", run, Map.of(), "-Detask.spec=tasks/payment-tests.yaml", "-q"),
                run))
        .as(read(run))
        .isZero();
    // -q: as quiet as Maven's own (nothing but errors, and there are none)
    assertThat(read(run)).doesNotContain("[INFO]").doesNotContain("── PREPARE");
    assertThat(git(dir.resolve("origin.git"), "ls-tree", "-r", "--name-only", "auto/payment-tests"))
        .contains("tests/test_payment");
    assertThat(artifacts.resolve("pr.json")).exists();
  }
}
