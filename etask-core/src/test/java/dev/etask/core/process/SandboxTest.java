package dev.etask.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox and the reaper, with real bubblewrap and real processes (.ci/run installs bwrap). */
class SandboxTest {
  @TempDir Path dir;

  private static Path python;
  private static Path prefix;

  @BeforeAll
  static void interpreter() throws Exception {
    Process p =
        new ProcessBuilder(
                "python3", "-c", "import sys; print(sys.executable); print(sys.base_prefix)")
            .start();
    String[] lines =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
    p.waitFor();
    python = Path.of(lines[0].strip()).toRealPath();
    prefix = Path.of(lines[1].strip()).toRealPath();
  }

  private Path reaper() throws IOException {
    Path script = dir.resolve("helpers/reaper.py");
    Files.createDirectories(script.getParent());
    Files.write(script, Sandbox.reaperScript());
    return script;
  }

  /** A sandbox that can run {@code sh} and Python, with {@code work} writable and more mounts. */
  private Confinement sandbox(boolean network, Confinement.Mount... more) throws IOException {
    Path work = Files.createDirectories(dir.resolve("work"));
    List<Confinement.Mount> mounts = new ArrayList<>();
    mounts.add(Confinement.Mount.readOnly(prefix));
    mounts.add(Confinement.Mount.readOnly(reaper().getParent()));
    mounts.add(Confinement.Mount.writable(work));
    mounts.addAll(List.of(more));
    return new Confinement(
        true, mounts, network, List.of(python.toString(), "-I", "-S", reaper().toString()));
  }

  private ProcessRunner.Result run(Confinement how, String script) throws IOException {
    return new ProcessRunner(Redactor.none())
        .run(
            new Command(
                    List.of("sh", "-c", script),
                    Files.createDirectories(dir.resolve("work")),
                    Map.of("PATH", "/usr/bin:/bin"),
                    Duration.ofSeconds(30),
                    dir.resolve("logs/run.log"))
                .confined(how));
  }

  @Test
  void bubblewrapWorksHere() {
    Sandbox.Probe probe = Sandbox.probe();
    assertThat(probe.works()).as(probe.detail() + " — " + probe.fix()).isTrue();
  }

  @Test
  void aMissingBubblewrapSaysHowToInstallIt() {
    Sandbox.Probe probe = Sandbox.probe(null);
    assertThat(probe.works()).isFalse();
    assertThat(probe.detail()).contains("not installed");
    assertThat(probe.fix()).contains("apt-get install bubblewrap");
  }

  @Test
  void theAppArmorRefusalNamesTheSysctl() {
    assertThat(Sandbox.fix("bwrap: setting up uid map: Permission denied"))
        .contains("kernel.apparmor_restrict_unprivileged_userns=0")
        .contains("AppArmor profile");
  }

  @Test
  void aBrokenBubblewrapIsNotUsed() throws IOException {
    Path fake = dir.resolve("bwrap");
    Files.writeString(
        fake, "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n");
    fake.toFile().setExecutable(true);
    Sandbox.Probe probe = Sandbox.probe(fake);
    assertThat(probe.works()).isFalse();
    assertThat(probe.detail()).contains("setting up uid map");
    assertThat(probe.fix()).contains("apparmor");
  }

  @Test
  void aSandboxedProcessCanNeitherRemountNorWriteAReadOnlyPath() throws IOException {
    Path readOnly = Files.createDirectories(dir.resolve("ro"));
    Files.writeString(readOnly.resolve("kept.txt"), "original\n");
    ProcessRunner.Result r =
        run(
            sandbox(false, Confinement.Mount.readOnly(readOnly)),
            "id -u; grep CapEff /proc/self/status;"
                + " mount -o remount,bind,rw "
                + readOnly
                + " && echo REMOUNTED;"
                + " echo changed > "
                + readOnly.resolve("kept.txt")
                + " || echo REFUSED;"
                + " echo written > "
                + dir.resolve("work/out.txt")
                + "; touch /usr/etask-was-here || echo SYSTEM-REFUSED");
    assertThat(r.output())
        .doesNotContain("REMOUNTED")
        .contains("REFUSED")
        .contains("SYSTEM-REFUSED")
        .contains("CapEff:\t0000000000000000");
    assertThat(Files.readString(readOnly.resolve("kept.txt"))).isEqualTo("original\n");
    assertThat(Files.readString(dir.resolve("work/out.txt"))).isEqualTo("written\n");
    assertThat(Path.of("/usr/etask-was-here")).doesNotExist();
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(r.output()).startsWith(Sandbox.UNPRIVILEGED + "\n");
    }
  }

  @Test
  void aSandboxedProcessSeesNoProcessOfEtasksAndNothingOutsideItsMounts() throws IOException {
    long me = ProcessHandle.current().pid();
    Path hostTmp = Files.createTempFile("etask-sandbox-test", ".txt");
    try {
      ProcessRunner.Result r =
          run(
              sandbox(false),
              "ls /proc | grep -x '[0-9]*' | tr '\\n' ' '; echo;"
                  + " cat /proc/"
                  + me
                  + "/environ && echo SAW-THE-JVM;"
                  + " ls "
                  + System.getProperty("user.home")
                  + "/.m2 && echo SAW-M2; ls "
                  + hostTmp
                  + " && echo SAW-HOST-TMP");
      assertThat(r.output())
          .doesNotContain("SAW-THE-JVM")
          .doesNotContain("SAW-M2")
          .doesNotContain("SAW-HOST-TMP");
      String pids = r.output().lines().findFirst().orElse("");
      assertThat(pids.split(" ")).allSatisfy(p -> assertThat(Long.parseLong(p)).isLessThan(20));
    } finally {
      Files.deleteIfExists(hostTmp);
    }
  }

  @Test
  void theNetworkIsOffUnlessTheConfinementAllowsIt() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    server.accept().close();
                  }
                } catch (IOException e) {
                  // closed
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      String connect =
          python
              + " -c \"import socket; socket.create_connection(('127.0.0.1', "
              + server.getLocalPort()
              + "), 2); print('CONNECTED')\"";
      assertThat(run(sandbox(false), connect).output()).doesNotContain("CONNECTED");
      assertThat(run(sandbox(true), connect).output()).contains("CONNECTED");
    }
  }

  @Test
  void theReaperStopsAndNamesWhatEscapedTheProcessGroupAndTheEnvironment() throws IOException {
    Path pids = dir.resolve("work/pids");
    String escape =
        "env -i setsid sh -c 'sleep 317 & echo $! >> "
            + pids
            + "' ; (setsid sh -c 'sleep 318 & echo $! >> "
            + pids
            + "' &) ; sleep 0.3; echo done";
    Confinement reapedOnly =
        Confinement.reaped(List.of(python.toString(), "-I", "-S", reaper().toString()));
    for (Confinement how : List.of(reapedOnly, sandbox(false))) {
      Files.deleteIfExists(pids);
      ProcessRunner.Result r = run(how, escape);
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.survivors()).hasSize(2);
      assertThat(String.join("\n", r.survivors())).contains("sleep 317").contains("sleep 318");
      if (!how.sandboxed()) { // the pids are the host's: none of them runs any more
        for (String pid : Files.readAllLines(pids)) {
          assertThat(ProcessHandle.of(Long.parseLong(pid.strip())).map(ProcessHandle::isAlive))
              .isIn(java.util.Optional.empty(), java.util.Optional.of(false));
        }
      }
    }
    assertThat(ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse("")))
        .noneMatch(c -> c.contains("sleep 317") || c.contains("sleep 318"));
  }

  @Test
  void aSandboxEndsWithTheThreadThatStartedIt() throws Exception {
    Confinement how = sandbox(false);
    AtomicReference<Process> started = new AtomicReference<>();
    List<Long> sandbox = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread starter =
        new Thread(
            () -> {
              try {
                started.set(
                    new ProcessBuilder(how.wrap(List.of("sleep", "600"), dir.resolve("work")))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start());
                Thread.sleep(300); // the sandbox is up
                sandbox.add(started.get().pid());
                started.get().descendants().forEach(h -> sandbox.add(h.pid()));
              } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    starter.start();
    starter.join();
    assertThat(sandbox).hasSizeGreaterThan(2); // bubblewrap, its init, the reaper, sleep
    long t0 = System.nanoTime();
    while (sandbox.stream().anyMatch(SandboxTest::running)
        && System.nanoTime() - t0 < 5_000_000_000L) {
      Thread.sleep(20);
    }
    assertThat(sandbox).noneMatch(SandboxTest::running);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
  }

  @Test
  void aServerOutlivesTheThreadThatAskedForItAndEndsWithItsRunner() throws Exception {
    ProcessRunner runner = new ProcessRunner(Redactor.none());
    AtomicReference<Process> started = new AtomicReference<>();
    Confinement how = sandbox(false);
    Thread asker =
        new Thread(
            () -> {
              try {
                started.set(
                    runner.startServer(
                        new Command(
                                List.of("sleep", "600"),
                                dir.resolve("work"),
                                Map.of("PATH", "/usr/bin:/bin"),
                                Duration.ZERO,
                                dir.resolve("logs/server.log"))
                            .confined(how)));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    asker.start();
    asker.join();
    Thread.sleep(1500);
    List<Long> sandbox = new ArrayList<>(List.of(started.get().pid()));
    started.get().descendants().forEach(h -> sandbox.add(h.pid()));
    assertThat(sandbox).hasSizeGreaterThan(2).allMatch(SandboxTest::running);
    runner.close();
    long t0 = System.nanoTime();
    while (sandbox.stream().anyMatch(SandboxTest::running)
        && System.nanoTime() - t0 < 5_000_000_000L) {
      Thread.sleep(20);
    }
    assertThat(sandbox).noneMatch(SandboxTest::running);
  }

  /** Running: there, and not a zombie waiting to be reaped. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }
}
