package dev.etask.core.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSH origins against a real SSH server (Apache MINA sshd serving bare repositories): keys from
 * {@code ~/.ssh}, keys from an ssh-agent, and unknown hosts refused.
 */
class SshTransportTest {
  private static final PersonIdent ME = new PersonIdent("etask", "etask@example.com");
  @TempDir Path tmp;
  private GitSshServer server;
  private Path key;
  private String knownHosts;
  private Process agent;

  @BeforeEach
  void start() throws Exception {
    Path keys = Files.createDirectories(tmp.resolve("keys"));
    key = keys.resolve("id_ecdsa");
    run(
        List.of(
            "ssh-keygen",
            "-q",
            "-t",
            "ecdsa",
            "-b",
            "256",
            "-N",
            "",
            "-C",
            "etask-test",
            "-f",
            key.toString()));
    Path seed = Files.createDirectories(tmp.resolve("seed"));
    Files.writeString(seed.resolve("app.py"), "X = 1\n");
    Path repos = Files.createDirectories(tmp.resolve("srv"));
    LocalOrigins.create(seed, repos.resolve("repo.git"), ME);
    server = new GitSshServer(repos, keys.resolve("id_ecdsa.pub"), tmp.resolve("host-key.ser"));
    knownHosts = server.knownHostsLine() + "\n";
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    if (agent != null) {
      agent.destroy();
    }
  }

  private String url() {
    return "ssh://git@127.0.0.1:" + server.port() + "/repo.git";
  }

  private Path home(String name, boolean withKey, boolean knowsHost) throws IOException {
    Path ssh = Files.createDirectories(tmp.resolve(name).resolve(".ssh"));
    if (withKey) {
      Files.copy(key, ssh.resolve("id_ecdsa"));
      Files.copy(key.resolveSibling("id_ecdsa.pub"), ssh.resolve("id_ecdsa.pub"));
    }
    if (knowsHost) {
      Files.writeString(ssh.resolve("known_hosts"), knownHosts);
    }
    return tmp.resolve(name);
  }

  private static void run(List<String> argv, String... env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    for (int i = 0; i < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(argv + ": " + out).isZero();
  }

  @Test
  void cloneFetchAndPushWithTheKeyInDotSsh() throws Exception {
    try (SshdSessionFactory ssh = SshSessions.factory(home("home", true, true), null)) {
      Origin origin = Origin.parse(url()).withSsh(ssh);
      assertThat(origin.isSsh()).isTrue();
      assertThat(origin.isLocal()).isFalse();
      try (GitRepo repo = GitTransport.cloneInto(origin, tmp.resolve("clone"), Retry.NONE)) {
        assertThat(Files.readString(tmp.resolve("clone/app.py"))).isEqualTo("X = 1\n");
        repo.checkoutBranch("auto/t", repo.remoteTracking("main"));
        Files.writeString(tmp.resolve("clone/b.py"), "Y = 2\n");
        repo.stage(repo.changes());
        ObjectId made = repo.commit("add b", "t", ME);
        GitTransport t = new GitTransport(repo, origin, Retry.NONE);
        t.push("auto/t");
        assertThat(t.remoteHead("auto/t")).isEqualTo(made);
      }
    }
    try (Git bare = Git.open(tmp.resolve("srv/repo.git").toFile())) {
      assertThat(bare.getRepository().resolve("refs/heads/auto/t")).isNotNull();
    }
  }

  @Test
  void theKeyMayComeFromTheSshAgent() throws Exception {
    Path socket = tmp.resolve("agent.sock");
    agent =
        new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
            .redirectErrorStream(true)
            .start();
    for (int i = 0; i < 100 && !Files.exists(socket); i++) {
      Thread.sleep(50);
    }
    run(List.of("ssh-add", key.toString()), "SSH_AUTH_SOCK", socket.toString());
    Path home = home("agent-home", false, true); // no key file: only the agent has it
    try (SshdSessionFactory ssh = SshSessions.factory(home, socket)) {
      try (GitRepo repo =
          GitTransport.cloneInto(
              Origin.parse(url()).withSsh(ssh), tmp.resolve("clone"), Retry.NONE)) {
        assertThat(repo.trackedFiles()).containsExactly("app.py");
      }
    }
    try (SshdSessionFactory ssh = SshSessions.factory(home, null)) {
      assertThatThrownBy(
              () ->
                  GitTransport.cloneInto(
                      Origin.parse(url()).withSsh(ssh), tmp.resolve("clone2"), Retry.NONE))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("cannot clone");
    }
  }

  @Test
  void anUnknownHostIsRefusedAndTheMessageSaysHowToTrustIt() throws Exception {
    try (SshdSessionFactory ssh = SshSessions.factory(home("stranger", true, false), null)) {
      assertThatThrownBy(
              () ->
                  GitTransport.cloneInto(
                      Origin.parse(url()).withSsh(ssh), tmp.resolve("clone"), Retry.NONE))
          .isInstanceOf(GitException.class)
          .hasMessageContaining("known_hosts");
    }
    assertThat(tmp.resolve("stranger/.ssh/known_hosts")).doesNotExist();
  }
}
