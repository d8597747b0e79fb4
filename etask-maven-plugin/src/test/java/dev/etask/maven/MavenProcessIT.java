package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scenarios where Maven itself is killed or the network goes away: they drive real Maven processes
 * (the wrapper, the plugin from target/local-repo), real git and real Python.
 */
class MavenProcessIT extends MavenProcesses {
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeEach
  void slowPayment() throws Exception {
    behaviours(
        "src/service/order.py: smoke\nsrc/service/payment.py: slow\nsrc/service/user.py: smoke\n");
  }

  private void spec(String url) throws IOException {
    Files.writeString(
        dir.resolve("task.yaml"),
        """
        id: t
        objective: "Add tests for the services"
        repository: { url: "%s" }
        target: { include: ["src/service/order.py", "src/service/payment.py", "src/service/user.py"], writable: ["tests/**"] }
        generator: { command: "python {spec_dir}/behave.py {file}", env: [ETASK_IT_SLOW] }
        pr: { provider: local }
        """
            .formatted(url));
  }

  private Process maven(String slow, Path log) throws IOException {
    return maven("run", log, Map.of("ETASK_IT_SLOW", slow));
  }

  /** The generator recorded in the workspace has really started (exec'd), on the given file. */
  private static boolean generatorRunning(Path ws, String file) {
    String[] pid = read(ws.resolve("generator.pid")).trim().split("[ \n]");
    if (pid[0].isEmpty()) {
      return false;
    }
    return ProcessHandle.of(Long.parseLong(pid[0]))
        .flatMap(h -> h.info().commandLine())
        .map(c -> c.contains("behave.py") && c.contains(file))
        .orElse(false);
  }

  private List<RevCommit> branchCommits() throws Exception {
    try (Git git = Git.open(dir.resolve("origin.git").toFile())) {
      List<RevCommit> out = new ArrayList<>();
      git.log()
          .addRange(git.getRepository().resolve("main"), git.getRepository().resolve("auto/t"))
          .call()
          .forEach(out::add);
      return out;
    }
  }

  @Test
  void killedMidRunResumesWithOneCommitPerBatchAndOnePr() throws Exception {
    spec("origin.git");
    Path ws = dir.resolve("target/etask/t");
    Path log = dir.resolve("maven-1.log");
    Process first = maven("120", log);
    await(
        "the slow generator of batch 2",
        Duration.ofMinutes(4),
        () -> generatorRunning(ws, "payment.py"));
    first.destroyForcibly(); // SIGKILL: no shutdown hook runs
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long orphan = Long.parseLong(read(ws.resolve("generator.pid")).trim().split("[ \n]")[0]);
    JsonNode state = JSON.readTree(ws.resolve("state.json").toFile());
    assertThat(state.at("/batches/0/stage").asText()).isEqualTo("DONE");
    assertThat(state.at("/batches/1/stage").asText()).isEqualTo("PENDING");

    Path log2 = dir.resolve("maven-2.log");
    Process second = maven("0", log2);
    assertThat(second.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(second.exitValue()).as(read(log2)).isZero();
    // the orphan is stopped by the second run, unless the machine's init reaped it first (this
    // sandbox's does)
    assertThat(read(log2))
        .containsAnyOf(
            "left running by an interrupted run", "(pid " + orphan + ") is no longer running");
    assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false))
        .as("orphan stopped")
        .isFalse();

    List<RevCommit> commits = branchCommits();
    assertThat(commits).hasSize(3);
    assertThat(commits)
        .extracting(c -> c.getFooterLines("Etask-Batch").get(0))
        .containsExactlyInAnyOrder("1", "2", "3");
    JsonNode status = JSON.readTree(dir.resolve("target/etask/artifacts/t/status.json").toFile());
    assertThat(status.get("exit_code").asInt()).isZero();
    assertThat(status.get("commits").asInt()).isEqualTo(3);
    JsonNode pr = JSON.readTree(dir.resolve("target/etask/artifacts/t/pr.json").toFile());
    assertThat(pr.get("number").asInt()).isEqualTo(1);
    try (Git clone = Git.open(ws.resolve("repo").toFile())) {
      assertThat(clone.status().call().isClean()).isTrue();
    }
  }

  @Test
  void sigtermSavesStateAndAPartialStatusAndStopsTheGenerator() throws Exception {
    spec("origin.git");
    Path ws = dir.resolve("target/etask/t");
    Path log = dir.resolve("maven.log");
    Process run = maven("120", log);
    await(
        "the slow generator of batch 2",
        Duration.ofMinutes(4),
        () -> generatorRunning(ws, "payment.py"));
    long generator = Long.parseLong(read(ws.resolve("generator.pid")).trim().split("[ \n]")[0]);
    run.destroy(); // SIGTERM, as Ctrl-C or a CI runner would send
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    await(
        "the generator to stop",
        Duration.ofSeconds(10),
        () -> ProcessHandle.of(generator).map(h -> !h.isAlive()).orElse(true));
    JsonNode status = JSON.readTree(dir.resolve("target/etask/artifacts/t/status.json").toFile());
    assertThat(status.get("limit_hit").asText()).contains("interrupted");
    assertThat(status.get("partial").asBoolean()).isTrue();
    assertThat(status.get("exit_code").asInt()).isEqualTo(2);
    assertThat(status.get("commits").asInt()).isEqualTo(1);
    JsonNode state = JSON.readTree(ws.resolve("state.json").toFile());
    assertThat(state.at("/batches/1/stage").asText()).isEqualTo("PENDING");
    assertThat(read(log)).contains("interrupted: state saved");
    try (var files = Files.walk(dir.resolve("target"))) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList())
          .as("no half-written file")
          .isEmpty();
    }
  }

  @Test
  void offlineTheInstallsComeFromUvsCacheAndAnEmptyCacheIsSaidAsSuch() throws Exception {
    behaviours("src/service/order.py: smoke\n");
    spec(dir.resolve("origin.git").toString());
    // one batch is enough here
    Files.writeString(
        dir.resolve("task.yaml"),
        Files.readString(dir.resolve("task.yaml"))
            .replace(
                "[\"src/service/order.py\", \"src/service/payment.py\", \"src/service/user.py\"]",
                "[\"src/service/order.py\"]"));
    // uv's download cache the other ITs fill: the online run only tops it up
    Map<String, String> shared =
        Map.of("UV_CACHE_DIR", Path.of("target/it-home/.cache/uv").toAbsolutePath().toString());
    Path online = dir.resolve("online.log");
    assertThat(mavenToTheEnd("run", online, shared)).as(read(online)).isZero();
    // another task on the same origin, Maven offline: the packages come from uv's cache
    Files.writeString(
        dir.resolve("task.yaml"),
        Files.readString(dir.resolve("task.yaml")).replace("id: t\n", "id: t2\n"));
    Path offline = dir.resolve("offline.log");
    assertThat(mavenToTheEnd("run", offline, shared, "-o")).as(read(offline)).isZero();
    assertThat(read(offline)).contains("building the Python environment (uv)");
    // with nothing in uv's cache, the install says why it cannot work offline
    Files.writeString(
        dir.resolve("task.yaml"),
        Files.readString(dir.resolve("task.yaml")).replace("id: t2\n", "id: t3\n"));
    Path empty = dir.resolve("empty.log");
    int exit =
        mavenToTheEnd(
            "run", empty, Map.of("UV_CACHE_DIR", dir.resolve("empty-uv-cache").toString()), "-o");
    assertThat(exit).isNotZero();
    assertThat(read(empty))
        .contains("Maven runs offline (-o): packages come from uv's cache only")
        .contains("run once without -o so uv's cache holds the packages");
  }

  @Test
  void pushIsRetriedWhileTheOriginIsBrieflyUnreachable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Process daemon = gitDaemon(port);
    try {
      spec("git://127.0.0.1:" + port + "/origin.git");
      behaviours(
          "src/service/order.py: slow\nsrc/service/payment.py: smoke\nsrc/service/user.py: smoke\n");
      Path log = dir.resolve("maven.log");
      Process run = maven("4", log);
      await(
          "the first generator",
          Duration.ofMinutes(4),
          () -> read(log).contains("GENERATE ── batch 1/3"));
      daemon.destroy();
      daemon.waitFor(10, TimeUnit.SECONDS);
      await(
          "a network retry",
          Duration.ofMinutes(2),
          () -> read(log).contains("network error, retry"));
      daemon = gitDaemon(port);
      assertThat(run.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(run.exitValue()).as(read(log)).isZero();
      assertThat(branchCommits()).hasSize(3);
    } finally {
      daemon.destroy();
    }
  }

  private Process gitDaemon(int port) throws Exception {
    Process p =
        new ProcessBuilder(
                "git",
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                "--port=" + port,
                "--base-path=" + dir,
                dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(new File(dir.toFile(), "daemon.log"))
            .start();
    await(
        "git daemon on " + port,
        Duration.ofSeconds(20),
        () -> {
          try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
    return p;
  }
}
