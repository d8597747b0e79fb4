package dev.etask.maven;

import dev.etask.core.engine.Engine;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.SpecException;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.Outcome;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecrypter;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;

/**
 * Shared parameters of the goals that work on a task, and the one place where the core's failures
 * become Maven failures: each goal only says which engine step it runs.
 */
public abstract class AbstractEtaskMojo extends AbstractMojo {

  /**
   * The task spec (YAML). Relative paths resolve against the folder Maven runs in.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.spec")
  protected File spec;

  /**
   * Where task workspaces live: {@code <workDir>/<id>/} holds the clone, virtualenv, logs and
   * state.
   *
   * @since 0.1.0
   */
  @Parameter(
      property = "etask.workDir",
      defaultValue = "${session.executionRootDirectory}/target/etask")
  protected File workDir;

  /**
   * Where outputs that outlive {@code etask:clean} go (status.json, pr.md, the PR record,
   * FAILURE.md); default {@code <workDir>/artifacts}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.artifactsDir")
  protected File artifactsDir;

  /**
   * What tasks share on this machine (etask's uv, measured baselines); default {@code
   * ~/.cache/etask} ({@code $XDG_CACHE_HOME/etask}).
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.cacheDir")
  protected File cacheDir;

  /**
   * Where the task's untrusted processes (the generator, every gate process) run: {@code auto} (a
   * bubblewrap sandbox when it works on this machine, else as you), {@code required} (stop when it
   * cannot start) or {@code off}. Overrides the spec's {@code sandbox:}.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.sandbox")
  protected String sandbox;

  /**
   * Skips every etask goal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.skip", defaultValue = "false")
  protected boolean skip;

  /**
   * Fails the build when the task ends partial or risky (exit code 2), not only when it is fatal.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.failOnRisk", defaultValue = "false")
  protected boolean failOnRisk;

  /**
   * Everything up to the push — branch, batches, the generator's changes, the gates, decisions, the
   * PR's title, body and labels — shown and written to the artifacts with the combined patch
   * ({@code etask.patch}); nothing is pushed and no pull request opened.
   *
   * @since 0.1.0
   */
  @Parameter(property = "etask.dryRun", defaultValue = "false")
  protected boolean dryRun;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  protected MavenSession session;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true)
  protected MojoExecution mojoExecution;

  @Component protected SettingsDecrypter settingsDecrypter;

  @Override
  public final void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("etask: skipped (etask.skip)");
      return;
    }
    String goalSkip = mojoExecution == null ? null : "etask." + mojoExecution.getGoal() + ".skip";
    if (goalSkip != null && Boolean.parseBoolean(property(goalSkip))) {
      getLog().info("etask:" + mojoExecution.getGoal() + ": skipped (" + goalSkip + ")");
      return;
    }
    try {
      executeGoal();
    } catch (SpecException e) {
      throw new MojoFailureException(
          "Invalid task spec.\n"
              + e.getMessage()
              + "\nFix the spec and run again; every key is in docs/task-yaml.md of etask's repository, and editors check specs against its JSON Schema (tasks/schema/task.schema.json).");
    } catch (EtaskException e) {
      throw new MojoFailureException(failureMessage(e));
    } catch (RuntimeException e) {
      throw new MojoExecutionException(
          "etask: unexpected error: "
              + e
              + ". This is a bug in etask; the task's"
              + " trace.txt and logs (under "
              + workDir
              + ") help to report it.",
          e);
    }
  }

  /**
   * A property as Maven resolves one: {@code -D} on the command line, then the project's {@code
   * <properties>}, then the JVM's.
   */
  private String property(String name) {
    if (session != null) {
      String user = session.getUserProperties().getProperty(name);
      if (user != null) {
        return user;
      }
      if (session.getCurrentProject() != null) {
        String project = session.getCurrentProject().getProperties().getProperty(name);
        if (project != null) {
          return project;
        }
      }
    }
    return System.getProperty(name);
  }

  /** The goal's work. */
  protected abstract void executeGoal() throws MojoExecutionException, MojoFailureException;

  protected Engine.Config config() throws MojoFailureException {
    if (spec == null) {
      throw new MojoFailureException(
          "No task spec given: set -Detask.spec=path/to/task.yaml"
              + " (or <spec> in the plugin's configuration).");
    }
    return config(resolve(spec));
  }

  /** The engine's configuration for the task spec at {@code specPath}. */
  protected Engine.Config config(Path specPath) {
    return new Engine.Config(
        specPath,
        workDir.toPath(),
        artifactsDir == null ? null : artifactsDir.toPath(),
        runDir(),
        settingsSecrets(),
        command(specPath),
        dryRun,
        serverPasswords(),
        System.getenv(),
        session != null && session.isOffline(),
        cacheDir(),
        sandboxMode());
  }

  /** {@code etask.sandbox} as a mode, or null when it is not set (the spec decides). */
  protected TaskSpec.SandboxMode sandboxMode() {
    if (sandbox == null || sandbox.isBlank()) {
      return null;
    }
    try {
      return TaskSpec.SandboxMode.valueOf(sandbox.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new EtaskException(
          EtaskException.Code.SPEC_INVALID,
          "etask.sandbox is '" + sandbox + "', which is not a sandbox mode",
          Hints.sandboxValue());
    }
  }

  /**
   * What tasks share on this machine: {@code etask.cacheDir}, else {@code $XDG_CACHE_HOME/etask} or
   * {@code ~/.cache/etask}.
   */
  protected Path cacheDir() {
    if (cacheDir != null) {
      return cacheDir.toPath().toAbsolutePath();
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    return (xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache"))
        .resolve("etask");
  }

  private SettingsDecryptionResult decrypted;

  /** settings.xml's servers and proxies decrypted, once per goal; null without settings. */
  private SettingsDecryptionResult decrypted() {
    Settings settings = session == null ? null : session.getSettings();
    if (decrypted == null && settings != null && settingsDecrypter != null) {
      decrypted = settingsDecrypter.decrypt(new DefaultSettingsDecryptionRequest(settings));
    }
    return decrypted;
  }

  /**
   * Each settings.xml server's password by server id, decrypted (an encrypted password works):
   * where a task's GitHub token may be ({@code pr.github.server_id}).
   */
  protected Map<String, String> serverPasswords() {
    Map<String, String> out = new HashMap<>();
    Settings settings = session == null ? null : session.getSettings();
    if (settings == null) {
      return out;
    }
    SettingsDecryptionResult decrypted = decrypted();
    List<Server> servers = decrypted == null ? settings.getServers() : decrypted.getServers();
    for (Server server : servers) {
      String password = server.getPassword();
      if (server.getId() == null || password == null || password.isBlank()) {
        continue;
      }
      if (password.matches("\\{[A-Za-z0-9+/=]+\\}")) {
        // still encrypted: settings-security.xml is missing or has another master password
        getLog()
            .warn(
                "etask: the password of settings.xml server '"
                    + server.getId()
                    + "' cannot be decrypted (check ~/.m2/settings-security.xml); it is not used");
        continue;
      }
      out.put(server.getId(), password);
    }
    return out;
  }

  /**
   * The passwords and passphrases of settings.xml's servers and proxies, decrypted: the redactor
   * knows them before anything is printed or written.
   */
  protected List<String> settingsSecrets() {
    List<String> out = new ArrayList<>();
    Settings settings = session == null ? null : session.getSettings();
    if (settings == null) {
      return out;
    }
    for (Server server : settings.getServers()) {
      out.add(server.getPassword());
      out.add(server.getPassphrase());
    }
    settings.getProxies().forEach(p -> out.add(p.getPassword()));
    SettingsDecryptionResult r = decrypted();
    if (r != null) {
      for (Server server : r.getServers()) {
        out.add(server.getPassword());
        out.add(server.getPassphrase());
      }
      r.getProxies().forEach(p -> out.add(p.getPassword()));
    }
    out.removeIf(s -> s == null || s.isBlank());
    return out;
  }

  /**
   * How the user starts a goal of this task again, as they ran etask: the launcher (./mvnw when the
   * folder has one), the plugin prefix or coordinates they used, the spec and their other etask.*
   * parameters. {@code {goal}} stands for the goal.
   */
  protected String command(Path specPath) {
    Path run = runDir().toAbsolutePath().normalize();
    String launcher = Files.isExecutable(run.resolve("mvnw")) ? "./mvnw" : "mvn";
    String prefix = "etask:";
    String goal = mojoExecution == null ? null : mojoExecution.getGoal();
    if (session != null && goal != null) {
      for (String g : session.getGoals()) {
        if (g.endsWith(":" + goal) && g.indexOf(':') != g.lastIndexOf(':')) {
          prefix = g.substring(0, g.length() - goal.length());
        }
      }
    }
    Path specAbs = specPath.toAbsolutePath().normalize();
    StringBuilder b =
        new StringBuilder(launcher)
            .append(' ')
            .append(prefix)
            .append("{goal} -Detask.spec=")
            .append(specAbs.startsWith(run) ? run.relativize(specAbs) : specAbs);
    if (session != null) {
      new TreeMap<>(session.getUserProperties())
          .forEach(
              (k, v) -> {
                String key = String.valueOf(k);
                if (key.startsWith("etask.")
                    && !List.of("etask.spec", "etask.id", "etask.tasks", "etask.parallel")
                        .contains(key)) {
                  b.append(" -D").append(key).append('=').append(v);
                }
              });
    }
    return b.toString();
  }

  protected Path runDir() {
    String root = session == null ? null : session.getExecutionRootDirectory();
    return Path.of(root == null ? System.getProperty("user.dir") : root);
  }

  /** The artifacts folder: {@code etask.artifactsDir}, else {@code <workDir>/artifacts}. */
  protected Path artifactsRoot() {
    // as the engine resolves them (Workspace.of)
    Path p = artifactsDir != null ? artifactsDir.toPath() : workDir.toPath().resolve("artifacts");
    return p.toAbsolutePath().normalize();
  }

  protected Path resolve(File f) {
    Path p = f.toPath();
    return p.isAbsolute() ? p : runDir().resolve(p).normalize();
  }

  protected Engine open() throws MojoFailureException {
    return Engine.open(config(), new MavenListener(getLog()));
  }

  /**
   * Maps an aggregated outcome onto the build: 1 fails it, 2 warns (or fails with
   * etask.failOnRisk).
   */
  protected void conclude(Engine engine, Outcome o) throws MojoFailureException {
    String where = engine.workspace().statusFile().toString();
    if (o.exitCode() == 1) {
      throw new MojoFailureException(
          "etask task '"
              + engine.spec().id()
              + "' failed: "
              + o.summary()
              + ". See "
              + engine.workspace().failureFile()
              + " and "
              + where
              + ".");
    }
    getLog().info("");
    getLog().info("time: " + engine.state().timeSummary());
    getLog().info("status: " + where + " (exit_code " + o.exitCode() + ")");
    if (o.exitCode() == 2) {
      String msg =
          "etask task '"
              + engine.spec().id()
              + "' is partial or risky (exit code 2): "
              + o.summary();
      if (failOnRisk) {
        throw new MojoFailureException(msg + ". Failing because of -Detask.failOnRisk.");
      }
      getLog().warn(msg);
    }
  }

  private String failureMessage(EtaskException e) {
    StringBuilder b =
        new StringBuilder("etask: ")
            .append(e.getMessage())
            .append(" [")
            .append(e.code())
            .append("]");
    if (e.nextStep() != null) {
      b.append("\nNext: ").append(e.nextStep()).append('.');
    }
    if (spec != null
        && e.code() != EtaskException.Code.TASK_LOCKED
        && e.code() != EtaskException.Code.STATE_MISMATCH) {
      b.append("\nDetails: FAILURE.md in the task's artifacts folder (")
          .append(artifactsHint())
          .append(").");
    }
    return b.toString();
  }

  private String artifactsHint() {
    return artifactsDir != null ? artifactsDir.toString() : workDir + File.separator + "artifacts";
  }
}
