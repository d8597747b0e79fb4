package dev.etask.core.engine;

import dev.etask.core.process.Sandbox;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.spec.TaskSpec.SandboxMode;
import dev.etask.core.workspace.Confinements;
import dev.etask.core.workspace.Workspace;
import java.nio.file.Path;

/**
 * Whether a task's untrusted processes (the generator, every gate process) run in the sandbox:
 * {@code -Detask.sandbox}, else the spec's {@code sandbox:}; {@code auto} uses bubblewrap when its
 * probe (once per JVM) works, {@code required} stops the task before any work when it does not,
 * {@code off} never uses it. Without the sandbox, those processes run as the user, under the
 * reaper, and the caches tasks share are not handed to them.
 */
public final class Sandboxing {
  private final SandboxMode mode;
  private final String from;
  private final Sandbox.Probe probe;

  private Sandboxing(SandboxMode mode, String from, Sandbox.Probe probe) {
    this.mode = mode;
    this.from = from;
    this.probe = probe;
  }

  static Sandboxing of(
      Engine.Config config, TaskSpec spec, java.util.function.Supplier<Sandbox.Probe> probe) {
    return of(config.sandbox(), spec, probe);
  }

  /** {@code override}: {@code -Detask.sandbox}, or null for the spec's {@code sandbox:}. */
  public static Sandboxing of(SandboxMode override, TaskSpec spec) {
    return of(override, spec, Sandbox::probe);
  }

  private static Sandboxing of(
      SandboxMode override, TaskSpec spec, java.util.function.Supplier<Sandbox.Probe> probe) {
    SandboxMode mode = override != null ? override : spec.sandbox();
    String from =
        override != null
            ? "-Detask.sandbox=" + name(mode)
            : "sandbox: "
                + name(mode)
                + (spec.sandbox() == SandboxMode.AUTO ? ", the default" : "");
    return new Sandboxing(mode, from, mode == SandboxMode.OFF ? null : probe.get());
  }

  /** True when the untrusted processes run in bubblewrap. */
  public boolean on() {
    return probe != null && probe.works();
  }

  /** What status.json says: {@code bubblewrap}, or {@code off} and why. */
  public String status() {
    return on() ? "bubblewrap" : "off (" + (probe == null ? from : probe.detail()) + ")";
  }

  /** One line for the log: which mode applies, and why. */
  public String line() {
    if (on()) {
      return "sandbox: bubblewrap ("
          + from
          + "): the generator and every gate process run in namespaces of their own with no"
          + " capabilities, see only the folders they need, and the gates have no network";
    }
    if (probe == null) {
      return "sandbox: off ("
          + from
          + "): the generator and the tests run as you and can read and change what you can";
    }
    return "sandbox: off ("
        + from
        + "): "
        + probe.detail()
        + "; the generator and the tests run as you and can read and change what you can. To"
        + " sandbox them: "
        + probe.fix();
  }

  /** Stops the task before any work when the sandbox is required and cannot start. */
  public void require() {
    if (mode == SandboxMode.REQUIRED && !on()) {
      throw new EtaskException(
          Code.SANDBOX_UNAVAILABLE,
          "the task requires the sandbox (" + from + "), and " + probe.detail(),
          Hints.withoutSandbox(probe.fix()));
    }
  }

  /**
   * How the task's untrusted processes are held. With the sandbox the worker's bytecode cache is
   * shared (filled before untrusted code runs, read-only inside); without it, the task's own.
   */
  public Confinements confinements(Workspace ws, TaskSpec spec, Path cacheDir) {
    if (!on()) {
      return Confinements.reapedOnly(ws);
    }
    return new Confinements(ws, true, spec.qualityGates().network(), cacheDir);
  }

  private static String name(SandboxMode mode) {
    return mode.name().toLowerCase(java.util.Locale.ROOT);
  }

  private static final java.util.regex.Pattern MISSING_FILE =
      java.util.regex.Pattern.compile(
          "can't open file '(/[^']+)'|(/[^\\s:'\"]+): [Nn]o such file or directory");

  /**
   * When the generator could not find a file that is there, outside what the sandbox shows it:
   * where to put it. Empty otherwise.
   */
  static String hiddenFile(RunContext c, String output) {
    if (!c.sandboxing().on() || output == null || c.spec().generator().command() == null) {
      return "";
    }
    java.util.regex.Matcher m = MISSING_FILE.matcher(output);
    while (m.find()) {
      String path = m.group(1) != null ? m.group(1) : m.group(2);
      java.nio.file.Path p = java.nio.file.Path.of(path);
      // only a path the spec's own command names: what a generator prints learns nothing
      if (c.spec().generator().command().contains(path.substring(path.lastIndexOf('/') + 1))
          && java.nio.file.Files.exists(p)
          && !p.startsWith(c.ws().repo())) {
        return "; "
            + path
            + " is there, but the sandbox shows the generator only the clone, the spec's folder"
            + " and generator.mounts: put it beside the spec ({spec_dir} in generator.command) or"
            + " list its folder in generator.mounts";
      }
    }
    return "";
  }
}
