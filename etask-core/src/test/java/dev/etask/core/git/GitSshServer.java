package dev.etask.core.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A git server over SSH for tests (Apache MINA sshd on a free localhost port): serves the bare
 * repositories under {@code root} to the keys in {@code authorizedKeys}, by public key only.
 */
final class GitSshServer implements AutoCloseable {
  private final SshServer server;
  private final Path root;

  GitSshServer(Path root, Path authorizedKeys, Path hostKey) throws IOException {
    this.root = root;
    server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(hostKey));
    try {
      // any user name: GitHub-like hosts log everyone in as "git"
      server.setPublickeyAuthenticator(
          PublickeyAuthenticator.fromAuthorizedEntries(
              "test",
              null,
              AuthorizedKeyEntry.readAuthorizedKeys(authorizedKeys),
              PublicKeyEntryResolver.FAILING));
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    server.setPasswordAuthenticator(null);
    server.setKeyboardInteractiveAuthenticator(null);
    server.setCommandFactory((channel, command) -> new GitCommand(command));
    server.start();
  }

  int port() {
    return server.getPort();
  }

  /** The {@code known_hosts} line for this server. */
  String knownHostsLine() throws Exception {
    KeyPair key = server.getKeyPairProvider().loadKeys(null).iterator().next();
    return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(key.getPublic());
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }

  private final class GitCommand implements Command {
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;

    GitCommand(String command) {
      this.command = command;
    }

    @Override
    public void setInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
      this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
      this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
      Thread t =
          new Thread(
              () -> {
                int code = 0;
                List<String> words = org.apache.sshd.server.command.CommandFactory.split(command);
                Path dir = root.resolve(words.get(1).replaceAll("^/+", ""));
                try (Repository repo =
                    new FileRepositoryBuilder()
                        .setGitDir(dir.toFile())
                        .setMustExist(true)
                        .build()) {
                  if (!Files.isDirectory(dir)) {
                    throw new IOException("no repository " + dir);
                  }
                  switch (words.get(0)) {
                    case "git-upload-pack" -> new UploadPack(repo).upload(in, out, err);
                    case "git-receive-pack" -> new ReceivePack(repo).receive(in, out, err);
                    default -> throw new IOException("unknown command " + command);
                  }
                } catch (IOException e) {
                  code = 1;
                  try {
                    err.write((e.getMessage() + "\n").getBytes());
                    err.flush();
                  } catch (IOException ignored) {
                    // the client is gone
                  }
                }
                exit.onExit(code);
              },
              "git-ssh-" + command);
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void destroy(ChannelSession channel) {}
  }
}
