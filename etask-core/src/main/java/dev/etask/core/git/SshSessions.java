package dev.etask.core.git;

import java.io.File;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;
import org.eclipse.jgit.transport.sshd.agent.AbstractConnector;
import org.eclipse.jgit.transport.sshd.agent.Connector;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;

/**
 * SSH for origins like {@code git@host:owner/repo.git}: JGit's Apache MINA sshd client with the
 * user's {@code ~/.ssh} (keys, {@code config}, {@code known_hosts}: an unknown host is refused,
 * never trusted silently) and the user's ssh-agent, reached through {@code SSH_AUTH_SOCK} over the
 * JDK's own Unix domain sockets.
 */
public final class SshSessions {
  private SshSessions() {}

  /**
   * A session factory for one task: {@code home} is the user's home (its {@code .ssh} holds keys,
   * config and known hosts), {@code agentSocket} the ssh-agent's socket or null. Close it when the
   * task ends.
   */
  public static SshdSessionFactory factory(Path home, Path agentSocket) {
    return new SshdSessionFactoryBuilder()
        .setHomeDirectory(home.toFile())
        .setSshDirectory(home.resolve(".ssh").toFile())
        .setConnectorFactory(new Agents(agentSocket))
        .build(null);
  }

  /** The ssh-agent connectors: one kind, over the socket named by {@code SSH_AUTH_SOCK}. */
  private static final class Agents implements ConnectorFactory {
    private static final ConnectorDescriptor SSH_AUTH_SOCK =
        new ConnectorDescriptor() {
          @Override
          public String getIdentityAgent() {
            return "SSH_AUTH_SOCK";
          }

          @Override
          public String getDisplayName() {
            return "ssh-agent (SSH_AUTH_SOCK)";
          }
        };

    private final Path socket;

    Agents(Path socket) {
      this.socket = socket;
    }

    @Override
    public Connector create(String identityAgent, File homeDir) {
      // the agent named in ~/.ssh/config (IdentityAgent), else SSH_AUTH_SOCK
      Path path =
          identityAgent == null || identityAgent.isEmpty() || identityAgent.equals("SSH_AUTH_SOCK")
              ? socket
              : Path.of(identityAgent.replaceFirst("^~(?=/)", homeDir.getPath()));
      return new AgentConnector(path);
    }

    @Override
    public boolean isSupported() {
      return true;
    }

    @Override
    public String getName() {
      return "etask-unix-socket";
    }

    @Override
    public Collection<ConnectorDescriptor> getSupportedConnectors() {
      return List.of(SSH_AUTH_SOCK);
    }

    @Override
    public ConnectorDescriptor getDefaultConnector() {
      return SSH_AUTH_SOCK;
    }
  }

  /** One conversation with an ssh-agent: length-prefixed messages over a Unix domain socket. */
  static final class AgentConnector extends AbstractConnector {
    private final Path socket;
    private SocketChannel channel;

    AgentConnector(Path socket) {
      this.socket = socket;
    }

    @Override
    public synchronized boolean connect() throws IOException {
      if (channel != null) {
        return true;
      }
      if (socket == null || !Files.exists(socket)) {
        return false; // no agent: keys come from ~/.ssh
      }
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        ch.close();
        throw new IOException("cannot reach the ssh-agent at " + socket + ": " + e.getMessage(), e);
      }
      channel = ch;
      return true;
    }

    @Override
    public synchronized byte[] rpc(byte command, byte[] message) throws IOException {
      if (channel == null) {
        throw new IOException("not connected to the ssh-agent");
      }
      prepareMessage(command, message);
      try {
        ByteBuffer out = ByteBuffer.wrap(message);
        while (out.hasRemaining()) {
          channel.write(out);
        }
        byte[] length = new byte[4];
        readFully(ByteBuffer.wrap(length));
        byte[] payload = new byte[toLength(command, length)];
        readFully(ByteBuffer.wrap(payload));
        return payload;
      } catch (IOException e) {
        close(); // out of step with the agent: the next call connects afresh
        throw e;
      }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new IOException("the ssh-agent closed the connection");
        }
      }
    }

    @Override
    public synchronized void close() throws IOException {
      if (channel != null) {
        channel.close();
        channel = null;
      }
    }
  }
}
