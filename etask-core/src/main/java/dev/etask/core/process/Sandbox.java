package dev.etask.core.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sandbox every untrusted process of a task runs in (the generator and every gate process):
 * bubblewrap, with new user, PID, IPC, UTS and cgroup namespaces, every capability dropped (root in
 * a plain bubblewrap could remount {@code /} read-write), an unprivileged uid inside when etask
 * runs as root, no further user namespaces, the network only when the {@link Confinement} allows
 * it, and a mount table instead of the whole file system: the system folders ({@code /usr}, {@code
 * /lib*}, {@code /bin}, {@code /sbin}, {@code /etc}) read-only, a fresh {@code /tmp}, {@code /proc}
 * of the new PID namespace (no process of etask's is visible), a minimal {@code /dev}, then the
 * confinement's own mounts. {@code --die-with-parent} ends the sandbox when the thread that started
 * it ends: start one only from a thread that outlives it.
 *
 * <p>{@link #probe()} tries it once per JVM (a few milliseconds; never cached on disk).
 */
public final class Sandbox {
  /** What the spec's {@code sandbox:} (or {@code -Detask.sandbox}) asks for. */
  public enum Mode {
    AUTO,
    REQUIRED,
    OFF
  }

  /**
   * Whether bubblewrap works here; {@code detail} says what was tried or what failed, {@code fix}
   * how to make it work (empty when it works).
   */
  public record Probe(boolean works, String detail, String fix) {}

  /** The system folders every sandbox sees, read-only. */
  public static final List<String> SYSTEM =
      List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc");

  /** The uid and gid a sandbox runs as when etask is root: nobody. */
  static final String UNPRIVILEGED = "65534";

  private static volatile Probe probed;
  private static volatile Path located;

  /** Whether this bubblewrap blocks nested user namespaces (0.8 and later), as the probe found. */
  private static volatile boolean disableUserns = true;

  private Sandbox() {}

  /** The probe of this JVM, made at the first call. */
  public static Probe probe() {
    Probe p = probed;
    if (p == null) {
      synchronized (Sandbox.class) {
        if (probed == null) {
          probed = probe(bwrap());
        }
        p = probed;
      }
    }
    return p;
  }

  /**
   * The reaper script ({@code reaper.py}) that holds every untrusted command: written by the caller
   * where the command can read but not change it, run as {@code python -I -S reaper.py COMMAND...}.
   */
  public static byte[] reaperScript() {
    try (java.io.InputStream in = Sandbox.class.getResourceAsStream("reaper.py")) {
      if (in == null) {
        throw new IllegalStateException("missing resource reaper.py");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** bubblewrap in the system's folders, else on {@code PATH}, or null; looked up once. */
  static Path bwrap() {
    Path p = located;
    if (p == null) {
      List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/bin", "/usr/local/bin"));
      String path = System.getenv("PATH");
      if (path != null) {
        dirs.addAll(List.of(path.split(java.io.File.pathSeparator)));
      }
      for (String dir : dirs) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "bwrap"))) {
          p = Path.of(dir, "bwrap");
          break;
        }
      }
      located = p;
    }
    return p;
  }

  /** Starts {@code bwrap} (null: not installed) with every setting a task's sandbox uses. */
  static Probe probe(Path bwrap) {
    if (bwrap == null) {
      return new Probe(
          false,
          "bubblewrap (bwrap) is not installed",
          "install bubblewrap (Debian and Ubuntu: apt-get install bubblewrap; Fedora: dnf install"
              + " bubblewrap)");
    }
    ProcessRunner.Result r = tryOnce(bwrap, true);
    boolean blocksUserns = true;
    if (!r.ok() && r.output().contains("disable-userns")) {
      r = tryOnce(bwrap, false); // bubblewrap older than 0.8: nested user namespaces stay possible
      blocksUserns = false;
    }
    if (r.timedOut()) {
      return new Probe(false, bwrap + " did not answer within 10 s", "check " + bwrap);
    }
    if (r.ok()) {
      disableUserns = blocksUserns;
      return new Probe(
          true,
          "bubblewrap ("
              + bwrap
              + (blocksUserns ? "" : "; older than 0.8, so nested user namespaces are not blocked")
              + ")",
          "");
    }
    String said = r.output().strip();
    return new Probe(false, bwrap + " cannot make a sandbox here: " + said, fix(said));
  }

  private static ProcessRunner.Result tryOnce(Path bwrap, boolean blockUserns) {
    List<String> argv = new ArrayList<>(List.of(bwrap.toString()));
    argv.addAll(
        arguments(new Confinement(true, List.of(), false, List.of()), Path.of("/"), blockUserns));
    argv.add("true");
    return new ProcessRunner(Redactor.none())
        .run(
            new Command(
                argv,
                Path.of("/"),
                java.util.Map.of("PATH", "/usr/bin:/bin"),
                java.time.Duration.ofSeconds(10),
                null));
  }

  /** How to fix what bubblewrap said when it could not start. */
  static String fix(String said) {
    String s = said.toLowerCase(Locale.ROOT);
    if (s.contains("uid map") && s.contains("permission denied")) {
      return "Ubuntu 23.10 and later block unprivileged user namespaces through AppArmor: allow them"
          + " with sysctl kernel.apparmor_restrict_unprivileged_userns=0, or give bwrap an AppArmor"
          + " profile that allows userns (see docs/sandbox.md in etask's repository)";
    }
    if (s.contains("no permissions to creat") || s.contains("operation not permitted")) {
      return "this kernel or container does not allow unprivileged user namespaces: allow them"
          + " (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0), or run"
          + " the container with user namespaces allowed";
    }
    return "see what bwrap said above; sandbox: off runs without it";
  }

  /** bubblewrap's arguments for {@code confinement}, working in {@code directory}. */
  static List<String> arguments(Confinement confinement, Path directory) {
    Path bwrap = bwrap();
    if (bwrap == null) {
      throw new IllegalStateException("bubblewrap is not installed");
    }
    List<String> argv = new ArrayList<>(List.of(bwrap.toString()));
    argv.addAll(arguments(confinement, directory, disableUserns));
    return argv;
  }

  private static List<String> arguments(
      Confinement confinement, Path directory, boolean blockUserns) {
    List<String> a = new ArrayList<>();
    a.add("--unshare-user");
    if (isRoot()) {
      a.addAll(List.of("--uid", UNPRIVILEGED, "--gid", UNPRIVILEGED));
    }
    if (blockUserns) {
      a.add("--disable-userns");
    }
    a.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
    if (!confinement.network()) {
      a.add("--unshare-net");
    }
    a.addAll(List.of("--cap-drop", "ALL", "--die-with-parent", "--new-session"));
    // the fresh /tmp first: a folder of the task's below /tmp is mounted over it, not hidden by it
    a.addAll(List.of("--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"));
    for (String dir : SYSTEM) {
      Path p = Path.of(dir);
      if (Files.isSymbolicLink(p)) {
        try {
          a.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), dir));
        } catch (IOException e) {
          // a link that cannot be read is left out
        }
      } else if (Files.isDirectory(p)) {
        a.addAll(List.of("--ro-bind", dir, dir));
      }
    }
    if (confinement.network()) {
      // /etc/resolv.conf is often a link into /run (systemd-resolved): its folder, read-only
      Path resolv = Path.of("/etc/resolv.conf");
      try {
        if (Files.isSymbolicLink(resolv)) {
          Path dir = resolv.toRealPath().getParent();
          if (SYSTEM.stream().noneMatch(dir::startsWith)) {
            a.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
          }
        }
      } catch (IOException e) {
        // a dangling link: there is no name service to reach
      }
    }
    for (Confinement.Mount m : confinement.mounts()) {
      switch (m.kind()) {
        case READ_ONLY ->
            a.addAll(List.of("--ro-bind", m.source().toString(), m.path().toString()));
        case WRITABLE -> a.addAll(List.of("--bind", m.source().toString(), m.path().toString()));
        case TMPFS -> a.addAll(List.of("--tmpfs", m.path().toString()));
      }
    }
    a.addAll(List.of("--chdir", directory.toString(), "--"));
    return a;
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
