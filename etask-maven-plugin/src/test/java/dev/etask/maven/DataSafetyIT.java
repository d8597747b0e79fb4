package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The data-safety faults, end to end with real Maven, git and Python: a person's commit is never
 * pushed over, no secret reaches any file, log line or git object, a generator's push is caught,
 * and a failure recorded by an earlier run is cleared by a run that succeeds.
 */
class DataSafetyIT extends MavenProcesses {
  private static final ObjectMapper JSON = new ObjectMapper();

  private void spec(String url, String extra) throws IOException {
    Files.writeString(
        dir.resolve("task.yaml"),
        """
        id: t
        objective: "Add tests for the services"
        repository: { url: "%s" }
        target: { include: ["src/service/order.py", "src/service/payment.py"], writable: ["tests/**"] }
        generator: { command: "python {spec_dir}/behave.py {file}", env: [AWS_SECRET_ACCESS_KEY] }
        pr: { provider: local }
        """
                .formatted(url)
            + extra);
  }

  private JsonNode status() throws IOException {
    return JSON.readTree(dir.resolve("target/etask/artifacts/t/status.json").toFile());
  }

  @Test
  void aReviewersAmendIsNeverPushedOver() throws Exception {
    behaviours("src/service/order.py: smoke\nsrc/service/payment.py: smoke\n");
    spec("origin.git", "limits: { max_commits: 1 }\n");
    Path log1 = dir.resolve("run-1.log");
    assertThat(mavenToTheEnd("run", log1, Map.of())).as(read(log1)).isZero();
    Path origin = dir.resolve("origin.git");
    String pushed = git(origin, "rev-parse", "auto/t");

    // a reviewer amends etask's commit (the trailer stays) and force-pushes it; the base moves too
    Path review = dir.resolve("review");
    git(dir, "clone", "-q", "-b", "auto/t", origin.toString(), review.toString());
    Files.writeString(
        review.resolve("tests/test_order_etask.py"),
        "# reviewed\n",
        java.nio.file.StandardOpenOption.APPEND);
    git(review, "add", "-A");
    git(
        review,
        "-c",
        "user.name=Rita Reviewer",
        "-c",
        "user.email=rita@example.com",
        "commit",
        "-q",
        "--amend",
        "--no-edit");
    assertThat(git(review, "log", "-1", "--format=%B")).contains("Etask-Task: t");
    git(review, "push", "-q", "-f", "origin", "auto/t");
    String amended = git(review, "rev-parse", "HEAD");
    git(review, "checkout", "-q", "main");
    Files.writeString(review.resolve("NOTES.md"), "the base moves\n");
    git(review, "add", "-A");
    git(
        review,
        "-c",
        "user.name=Rita Reviewer",
        "-c",
        "user.email=rita@example.com",
        "commit",
        "-q",
        "-m",
        "base moves");
    git(review, "push", "-q", "origin", "main");
    assertThat(amended).isNotEqualTo(pushed);

    Path log2 = dir.resolve("run-2.log");
    assertThat(mavenToTheEnd("run", log2, Map.of())).as(read(log2)).isZero();
    assertThat(git(origin, "rev-parse", "auto/t"))
        .as("the reviewer's commit is still the branch's tip")
        .isEqualTo(amended);
    JsonNode s = status();
    assertThat(s.get("exit_code").asInt()).isEqualTo(2);
    assertThat(s.get("risk_labels").toString())
        .contains("human-edited")
        .contains("needs-manual-review");
    String shortSha = amended.substring(0, 7);
    assertThat(read(dir.resolve("target/etask/artifacts/t/pr.md")))
        .contains("**Human-edited:**")
        .contains(shortSha)
        .contains("committed by Rita Reviewer");
    assertThat(read(log2)).contains(shortSha).contains("etask pushes nothing over them");

    // the way on that the log names: delete the branch on the origin; the next run makes it again
    git(origin, "branch", "-D", "auto/t");
    Path log3 = dir.resolve("run-3.log");
    assertThat(mavenToTheEnd("run", log3, Map.of())).as(read(log3)).isZero();
    assertThat(read(log3)).contains("is no longer on the origin");
    assertThat(git(origin, "log", "--format=%an|%cn", "main..auto/t")).isEqualTo("etask|etask");
    assertThat(status().get("risk_labels").toString()).doesNotContain("human-edited");
  }

  @Test
  void noSecretReachesAFileALogLineOrAGitObject() throws Exception {
    String urlCanary = "url/c4n4ry+pw=1";
    String ghCanary = "ghp_GHc4n4ry0000000001";
    String githubCanary = "ghs_GITHUBc4n4ry000002";
    String awsCanary = "AWSc4n4ry/Secret+Key0003";
    String settingsCanary = "settings-c4n4ry-0004";
    Files.writeString(
        dir.resolve("settings.xml"),
        """
        <settings><servers><server><id>github</id><username>x</username><password>%s</password></server></servers>
        </settings>"""
            .formatted(settingsCanary));
    behaviours("src/service/order.py: print-env\nsrc/service/payment.py: smoke\n");
    spec(
        "file://etask:"
            + URLEncoder.encode(urlCanary, StandardCharsets.UTF_8)
            + "@"
            + dir.resolve("origin.git"),
        "");
    Path log = dir.resolve("run.log");
    int exit =
        mavenToTheEnd(
            "run",
            log,
            Map.of(
                "GH_TOKEN",
                ghCanary,
                "GITHUB_TOKEN",
                githubCanary,
                "AWS_SECRET_ACCESS_KEY",
                awsCanary),
            "-s",
            dir.resolve("settings.xml").toString());
    assertThat(exit).as(read(log)).isZero();
    JsonNode s = status();
    assertThat(s.get("batches").get(0).get("decision").asText())
        .as("the env-printing test failed")
        .isEqualTo("rollback");
    assertThat(s.get("repository").asText()).isEqualTo("file://" + dir.resolve("origin.git"));
    // the generator printed its environment: the AWS key it was given is in its log only as ****
    assertThat(read(dir.resolve("target/etask/t/logs/batch-1-generate.log")))
        .contains("AWS_SECRET_ACCESS_KEY=****")
        .doesNotContain("GITHUB_TOKEN=")
        .doesNotContain("GH_TOKEN=");

    List<Path> scanned = filesUnder(dir.resolve("target"));
    scanned.add(log);
    List<String> leaks =
        leaks(
            List.of(urlCanary, ghCanary, githubCanary, awsCanary, settingsCanary),
            scanned,
            List.of(dir.resolve("origin.git"), dir.resolve("target/etask/t/repo")));
    assertThat(scanned).hasSizeGreaterThan(20);
    assertThat(leaks).isEmpty();
  }

  @Test
  void aGeneratorInTheSandboxCannotPushToTheOrigin() throws Exception {
    behaviours("src/service/order.py: push-origin\nsrc/service/payment.py: smoke\n");
    spec("origin.git", "strategy: { max_generator_failures: 1000 }\n");
    Path origin = dir.resolve("origin.git");
    String main = git(origin, "rev-parse", "main");
    Path log = dir.resolve("run.log");
    assertThat(mavenToTheEnd("run", log, Map.of())).isZero(); // exit code 2 is a warning
    assertThat(read(log)).contains("sandbox: bubblewrap");
    // its folder (and the origin in it) is read-only to the generator, its .git too
    assertThat(read(dir.resolve("target/etask/t/logs/batch-1-generate.log")))
        .containsAnyOf("Read-only file system", "read-only", "Permission denied");
    assertThat(git(origin, "rev-parse", "main")).isEqualTo(main);
    JsonNode s = status();
    assertThat(s.at("/batches/0/decision").asText()).isEqualTo("skip");
    assertThat(s.at("/batches/0/reason").asText()).contains("generator failed");
    assertThat(s.at("/batches/1/decision").asText()).isEqualTo("accept");
    assertThat(git(origin, "log", "-1", "--format=%s", "auto/t")).doesNotContain("pushed by");
  }

  @Test
  void aGeneratorThatPushesToTheOriginStopsTheTask() throws Exception {
    behaviours("src/service/order.py: push-origin\nsrc/service/payment.py: smoke\n");
    spec("origin.git", "sandbox: off\n"); // in the sandbox it cannot: the test above
    Path origin = dir.resolve("origin.git");
    Path log = dir.resolve("run.log");
    assertThat(mavenToTheEnd("run", log, Map.of())).isEqualTo(1);
    String sneaky = git(origin, "rev-parse", "--short=7", "main");
    assertThat(git(origin, "log", "-1", "--format=%s", "main")).isEqualTo("pushed by a generator");
    JsonNode s = status();
    assertThat(s.get("exit_code").asInt()).isEqualTo(1);
    assertThat(s.at("/failure/code").asText()).isEqualTo("GENERATOR_PUSHED");
    String failure = read(dir.resolve("target/etask/artifacts/t/FAILURE.md"));
    assertThat(failure).contains("refs/heads/main → " + sneaky).contains("a generator pushed it");
    assertThat(git(origin, "branch", "--list", "auto/t")).as("etask pushed nothing").isEmpty();
    assertThat(read(log)).contains("GENERATOR_PUSHED");

    // for good: a second run stops too, before anything else
    Path log2 = dir.resolve("run-2.log");
    assertThat(mavenToTheEnd("run", log2, Map.of())).isEqualTo(1);
    assertThat(read(log2)).contains("GENERATOR_PUSHED").contains(":clean -Detask.spec=task.yaml");
    assertThat(git(origin, "branch", "--list", "auto/t")).as("etask pushed nothing").isEmpty();
  }

  @Test
  void aRunThatSucceedsReplacesTheFailureOfAnEarlierOne() throws Exception {
    behaviours("src/service/order.py: smoke\nsrc/service/payment.py: smoke\n");
    spec("origin.git", "");
    Path broken = dir.resolve("broken-bin");
    Files.createDirectories(broken);
    Path fake = broken.resolve("python3");
    Files.writeString(fake, "#!/bin/sh\necho 'python3: not really here' >&2\nexit 127\n");
    fake.toFile().setExecutable(true);
    Path log1 = dir.resolve("run-1.log");
    assertThat(mavenToTheEnd("run", log1, Map.of("PATH", broken + ":" + System.getenv("PATH"))))
        .isEqualTo(1);
    assertThat(status().at("/failure/code").asText()).isEqualTo("ENV_FAILED");
    assertThat(dir.resolve("target/etask/artifacts/t/FAILURE.md")).exists();

    Path log2 = dir.resolve("run-2.log");
    assertThat(mavenToTheEnd("run", log2, Map.of())).as(read(log2)).isZero();
    JsonNode s = status();
    assertThat(s.get("exit_code").asInt()).isZero();
    assertThat(s.has("failure")).isFalse();
    assertThat(s.get("phases_ms").has("prepare")).isTrue();
    assertThat(dir.resolve("target/etask/artifacts/t/FAILURE.md")).doesNotExist();
    assertThat(dir.resolve("target/etask/artifacts/t/trace.txt")).doesNotExist();
  }
}
