package dev.etask.core.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How one untrusted child is held: under a reaper (a subreaper that ends whatever the child left
 * running and names it), and, when the sandbox is on, inside bubblewrap with a mount table of its
 * own (see {@link Sandbox}). Trusted children (git, the environment build) get none.
 *
 * <p>{@code mounts} are applied in order on top of the system folders, so a later mount covers an
 * earlier one (a read-only {@code .git} over a writable clone). {@code reaper} is the command that
 * runs the reaper script ({@code python -I -S reaper.py}); an empty list runs the child without
 * one.
 */
public record Confinement(
    boolean sandboxed, List<Mount> mounts, boolean network, List<String> reaper) {

  /** One entry of the mount table: {@code path} as it appears inside, {@code source} outside. */
  public record Mount(Kind kind, Path path, Path source) {
    public enum Kind {
      READ_ONLY,
      WRITABLE,
      TMPFS
    }

    public static Mount readOnly(Path path) {
      return new Mount(Kind.READ_ONLY, path, path);
    }

    public static Mount writable(Path path) {
      return new Mount(Kind.WRITABLE, path, path);
    }

    /** {@code source}'s files shown, writable, at {@code path}. */
    public static Mount writable(Path source, Path path) {
      return new Mount(Kind.WRITABLE, path, source);
    }

    /** An empty folder in memory at {@code path}, gone with the sandbox. */
    public static Mount tmpfs(Path path) {
      return new Mount(Kind.TMPFS, path, null);
    }
  }

  public Confinement {
    mounts = List.copyOf(mounts);
    reaper = List.copyOf(reaper);
  }

  /** Only the reaper: the child runs as the user, with what the user can reach. */
  public static Confinement reaped(List<String> reaper) {
    return new Confinement(false, List.of(), true, reaper);
  }

  /** The child's whole command line: bubblewrap and the reaper in front of {@code argv}. */
  public List<String> wrap(List<String> argv, Path directory) {
    List<String> out = new ArrayList<>();
    if (sandboxed) {
      out.addAll(Sandbox.arguments(this, directory));
    }
    out.addAll(reaper);
    out.addAll(argv);
    return out;
  }
}
