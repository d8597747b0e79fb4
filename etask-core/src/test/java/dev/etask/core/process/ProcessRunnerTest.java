package dev.etask.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {
  @TempDir Path dir;

  @org.junit.jupiter.api.Test
  void everyCommandRunToItsEndIsToldWithHowItEnded() {
    ProcessRunner runner = new ProcessRunner(Redactor.none());
    List<String> told = new java.util.ArrayList<>();
    runner.onFinish((c, r) -> told.add(String.join(" ", c.argv()) + " -> " + r.exitCode()));
    runner.run(
        new Command(
            List.of("sh", "-c", "exit 3"),
            dir,
            Map.of("PATH", System.getenv("PATH")),
            Duration.ofSeconds(30),
            dir.resolve("logs/x.log")));
    assertThat(told).containsExactly("sh -c exit 3 -> 3");
  }

  private ProcessRunner.Result sh(String script, Duration timeout, Redactor redactor) {
    return new ProcessRunner(redactor)
        .run(
            new Command(
                List.of("sh", "-c", script),
                dir,
                Map.of("PATH", System.getenv("PATH"), "SECRET_VALUE", "hunter2-secret"),
                timeout,
                dir.resolve("logs/run.log")));
  }

  @Test
  void capturesOutputExitCodeAndLogs() throws Exception {
    ProcessRunner.Result r =
        sh("echo out; echo err >&2; exit 3", Duration.ofSeconds(10), Redactor.none());
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.ok()).isFalse();
    assertThat(r.output()).contains("out").contains("err");
    assertThat(Files.readString(dir.resolve("logs/run.log")))
        .startsWith("$ sh -c")
        .contains("out\n");
  }

  @Test
  void aHugeOutputKeepsItsHeadAndTailInTheLogAndSaysWhatItLeftOut() throws Exception {
    // 50 MB of numbered lines
    ProcessRunner.Result r =
        sh(
            "python3 -c \"import sys\nfor i in range(500000): sys.stdout.write('line %07d %s\\\\n' % (i, 'x' * 86))\"",
            Duration.ofSeconds(60), Redactor.none());
    assertThat(r.ok()).isTrue();
    Path log = dir.resolve("logs/run.log");
    assertThat(Files.size(log)).isLessThan(CappedLog.HEAD + CappedLog.TAIL + 4096);
    String text = Files.readString(log);
    assertThat(text).contains("line 0000000 ").contains("line 0499999 ");
    assertThat(text).containsPattern("\\[etask\\] … \\d+ bytes of output left out here");
    int cut = text.indexOf("[etask] …");
    String after = text.substring(text.indexOf('\n', cut) + 1);
    assertThat(after).startsWith("line ").as("the tail starts at a line");
    assertThat(r.output()).contains("line 0499999 ");
  }

  @Test
  void stdinIsClosed() {
    ProcessRunner.Result r = sh("cat; echo done", Duration.ofSeconds(10), Redactor.none());
    assertThat(r.ok()).isTrue();
    assertThat(r.output()).isEqualTo("done\n");
  }

  @Test
  void secretsAreRedactedInOutputAndLog() throws Exception {
    ProcessRunner.Result r =
        sh(
            "echo token=$SECRET_VALUE",
            Duration.ofSeconds(10),
            new Redactor().add("hunter2-secret"));
    assertThat(r.output()).isEqualTo("token=****\n");
    assertThat(Files.readString(dir.resolve("logs/run.log"))).doesNotContain("hunter2");
  }

  @Test
  void timeoutKillsTheWholeTreeIncludingDetachedGrandchildren() throws Exception {
    Path pidFile = dir.resolve("grandchild.pid");
    long start = System.nanoTime();
    ProcessRunner.Result r =
        sh(
            "(sleep 300 & echo $! > " + pidFile + "; wait) & sleep 300",
            Duration.ofSeconds(1),
            Redactor.none());
    assertThat(r.timedOut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    for (int i = 0;
        i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(100);
    }
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(r.output()).contains("stopped after 1s");
  }

  @Test
  void orphansAreKilledOnlyWhenTheyAreStillTheSameProcess() throws Exception {
    Process p = new ProcessBuilder("setsid", "sh", "-c", "sleep 300 # marker-src/x.py").start();
    try {
      java.time.Instant started = p.toHandle().info().startInstant().orElseThrow();
      long pid = p.pid();
      assertThat(ProcessTrees.killOrphan(pid, started.minusSeconds(3600), "not-in-the-command"))
          .isFalse();
      assertThat(p.isAlive()).isTrue();
      assertThat(ProcessTrees.killOrphan(pid, started.minusSeconds(3600), "marker-src/x.py"))
          .isTrue();
      assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(ProcessTrees.killOrphan(pid, started, "")).isFalse();
    } finally {
      p.destroyForcibly();
    }
    Process q = new ProcessBuilder("setsid", "sh", "-c", "sleep 300").start();
    try {
      assertThat(
              ProcessTrees.killOrphan(
                  q.pid(), q.toHandle().info().startInstant().orElseThrow(), ""))
          .isTrue();
      assertThat(q.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    } finally {
      q.destroyForcibly();
    }
  }

  @Test
  void missingProgramIsAResultNotAnException() {
    ProcessRunner.Result r =
        new ProcessRunner(Redactor.none())
            .run(
                new Command(
                    List.of("/nonexistent/tool"), dir, Map.of(), Duration.ofSeconds(5), null));
    assertThat(r.ok()).isFalse();
  }

  @Test
  void generatorEnvironmentHoldsNoTokens() {
    Map<String, String> env = Environments.of(dir).forGenerator(List.of("PATH", "GITHUB_TOKEN"));
    assertThat(env).doesNotContainKeys("GITHUB_TOKEN", "GH_TOKEN", "ETASK_GITHUB_TOKEN");
    assertThat(Environments.looksSecret("OPENAI_API_KEY")).isTrue();
    assertThat(Environments.looksSecret("AWS_SECRET_ACCESS_KEY")).isTrue();
    assertThat(Environments.looksSecret("PATH")).isFalse();
    assertThat(Environments.looksSecret("KEYBOARD")).isFalse();
  }

  @Test
  void theHolderOfAFileIsNamed() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("etask-lock", ".lock");
    Process p = new ProcessBuilder("sh", "-c", "exec 3>>'" + f + "'; exec sleep 30").start();
    try {
      long end = System.nanoTime() + 5_000_000_000L;
      java.util.List<String> holders = ProcessTrees.holdersOf(f);
      while ((holders.isEmpty() || !holders.get(0).contains("sleep")) && System.nanoTime() < end) {
        Thread.sleep(50);
        holders = ProcessTrees.holdersOf(f);
      }
      org.assertj.core.api.Assertions.assertThat(holders).hasSize(1);
      org.assertj.core.api.Assertions.assertThat(holders.get(0))
          .startsWith(p.pid() + " (")
          .contains("sleep");
    } finally {
      p.destroyForcibly().waitFor();
    }
    org.assertj.core.api.Assertions.assertThat(ProcessTrees.holdersOf(f)).isEmpty();
  }

  @Test
  void whatAChildLeavesRunningInTheBackgroundIsStoppedWhenItExits() throws Exception {
    ProcessRunner.Result r =
        sh("sleep 30 & echo $! > bg.pid; echo started", Duration.ofSeconds(10), Redactor.none());
    assertThat(r.ok()).isTrue();
    assertThat(r.duration()).isLessThan(Duration.ofSeconds(5));
    long bg = Long.parseLong(Files.readString(dir.resolve("bg.pid")).trim());
    long end = System.nanoTime() + 5_000_000_000L;
    while (ProcessHandle.of(bg).map(ProcessHandle::isAlive).orElse(false)
        && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.of(bg).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void processesThatLeaveTheGroupAreFoundByTheirMarker() throws Exception {
    String marker = "ETASK_RUN_ID=test-" + System.nanoTime();
    ProcessRunner.Result r =
        new ProcessRunner(Redactor.none())
            .run(
                new Command(
                    List.of(
                        "sh",
                        "-c",
                        // wait until the child is in a session of its own before exiting: then the
                        // group kill cannot reach it
                        "setsid sh -c 'touch escaped; sleep 30; echo late' & while [ ! -f escaped ]; do sleep 0.05; done"),
                    dir,
                    Map.of(
                        "PATH",
                        System.getenv("PATH"),
                        "ETASK_RUN_ID",
                        marker.substring(marker.indexOf('=') + 1)),
                    Duration.ofSeconds(10),
                    null));
    assertThat(r.ok()).isTrue();
    List<String> killed = List.of();
    long end = System.nanoTime() + 5_000_000_000L;
    while (killed.stream().noneMatch(k -> k.contains("sleep 30")) && System.nanoTime() < end) {
      Thread.sleep(50);
      killed =
          ProcessTrees.killMarked(
              marker); // setsid escaped the group kill: only the marker finds it
    }
    assertThat(killed).anyMatch(k -> k.contains("sleep 30"));
    List<String> left = ProcessTrees.killMarked(marker);
    for (int i = 0; i < 50 && !left.isEmpty(); i++) {
      Thread.sleep(100);
      left = ProcessTrees.killMarked(marker);
    }
    assertThat(left).as("nothing with the marker runs any more").isEmpty();
  }

  @Test
  void theHolderOfAFileIsFoundThroughASymbolicLink() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Path f = real.resolve("index.lock");
    Files.writeString(f, "");
    Process p = new ProcessBuilder("sh", "-c", "exec 3>>'" + f + "'; exec sleep 30").start();
    try {
      long end = System.nanoTime() + 5_000_000_000L;
      while (ProcessTrees.holdersOf(link.resolve("index.lock")).isEmpty()
          && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertThat(ProcessTrees.holdersOf(link.resolve("index.lock"))).hasSize(1);
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void multiByteCharactersSplitBetweenReadsStayWhole() throws Exception {
    // 8191 ASCII bytes, then a 3-byte character across the 8 KiB boundary of a read
    ProcessRunner.Result r =
        sh(
            "python3 -c \"import sys; sys.stdout.buffer.write(b'a' * 8191 + '€ ok\\n'.encode())\"",
            Duration.ofSeconds(10),
            Redactor.none());
    assertThat(r.output()).endsWith("a€ ok\n").doesNotContain("\uFFFD");
    assertThat(Files.readString(dir.resolve("logs/run.log")))
        .contains("a€ ok")
        .doesNotContain("\uFFFD");
  }
}
