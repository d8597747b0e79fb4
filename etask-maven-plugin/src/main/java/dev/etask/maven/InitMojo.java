package dev.etask.maven;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Origin;
import dev.etask.core.spec.Glob;
import dev.etask.core.spec.InitSpec;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskIds;
import dev.etask.core.spec.TaskTypes;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Starts a task for the repository Maven runs in: writes a commented {@code tasks/<id>.yaml} of a
 * type ({@code -Detask.type=add-tests}) for the files {@code -Detask.include} names, with what
 * etask detects of the repository (layout, test folder, runner, tools) said at its top, checked to
 * load before it is written; never over an existing file. Also writes {@code .mvn/jvm.config} with
 * the JIT flag that starts etask's short-lived JVM fastest, when the repository has none.
 *
 * @since 0.1.0
 */
@Mojo(name = "init", aggregator = true, requiresProject = false, threadSafe = true)
public class InitMojo extends AbstractMojo {
  /**
   * The task type ({@code mvn etask:templates} lists them); {@code custom} for a command of yours.
   */
  @Parameter(property = "etask.type", defaultValue = "add-tests")
  private String type;

  /** The files the task works on, a glob relative to the repository root. */
  @Parameter(property = "etask.include")
  private String include;

  /** The task's id (its branch is auto/ID); default from the type and the include pattern. */
  @Parameter(property = "etask.id")
  private String id;

  /** For {@code type custom}: the generator's command line. */
  @Parameter(property = "etask.command", defaultValue = "python {spec_dir}/generate.py {file}")
  private String command;

  @Parameter(defaultValue = "${session.executionRootDirectory}", readonly = true)
  private String root;

  @Override
  public void execute() throws MojoFailureException {
    Path repo = Path.of(root == null ? System.getProperty("user.dir") : root);
    if (!TaskTypes.names().contains(type)) {
      throw new MojoFailureException(
          "etask: -Detask.type="
              + type
              + " is not a task type; the types: "
              + String.join(", ", TaskTypes.names()));
    }
    if (include == null || include.isBlank()) {
      throw new MojoFailureException(
          "etask: say which files the task works on: -Detask.include='src/service/*.py' (a glob"
              + " relative to the repository root)");
    }
    String taskId = id == null ? InitSpec.id(type, include) : id;
    String bad = TaskIds.problem(taskId);
    if (bad != null) {
      throw new MojoFailureException("etask: -Detask.id=" + taskId + ": " + bad);
    }
    Path spec = repo.resolve("tasks").resolve(taskId + ".yaml");
    if (Files.exists(spec)) {
      throw new MojoFailureException(
          "etask: "
              + spec
              + " exists: not overwritten. Edit it, or choose another name with -Detask.id=…");
    }
    try {
      write(repo, spec, taskId);
    } catch (IOException | GitException e) {
      throw new MojoFailureException("etask: cannot write " + spec + ": " + e.getMessage(), e);
    }
  }

  /**
   * The schema of task.yaml beside the specs (the one this plugin's loader reads), which the spec's
   * first line names; kept up to date when it is etask's, never written over another file.
   */
  private void schema(Path target) throws IOException {
    byte[] schema;
    try (var in = getClass().getResourceAsStream("/META-INF/etask/task.schema.json")) {
      schema = in.readAllBytes();
    }
    if (Files.exists(target)
        && !Files.readString(target)
            .contains("\"$id\" : \"https://etask.dev/schema/task.schema.json\"")) {
      getLog().warn("etask: " + target + " is not etask's schema of task.yaml: left as it is");
      return;
    }
    Files.createDirectories(target.getParent());
    AtomicFiles.write(target, schema);
  }

  /** Checks the include, writes the spec once it loads, and the JVM's configuration. */
  private void write(Path repo, Path spec, String taskId)
      throws IOException, GitException, MojoFailureException {
    int matched = matches(repo, include);
    if (matched == 0) {
      throw new MojoFailureException(
          "etask: -Detask.include="
              + include
              + " matches no file of "
              + repo
              + " (globs are relative to the repository root; '**' crosses folders)");
    }
    InitSpec.Detected d = InitSpec.detect(repo);
    String text = InitSpec.text(taskId, type, include, url(repo), d, command);
    Files.createDirectories(spec.getParent());
    Path draft = Files.createTempFile(spec.getParent(), "." + taskId, ".yaml");
    try {
      Files.writeString(draft, text);
      SpecLoader.load(draft); // never write a spec that does not load
      AtomicFiles.write(spec, text);
    } finally {
      Files.deleteIfExists(draft);
    }
    schema(spec.getParent().resolve("schema/task.schema.json"));
    getLog()
        .info(
            "etask: wrote "
                + spec
                + " ("
                + type
                + ", "
                + matched
                + " file(s) match "
                + include
                + ")");
    getLog().info("  detected: " + d.describe());
    jvmConfig(repo);
    getLog().info("  next: mvn etask:run -Detask.spec=tasks/" + taskId + ".yaml -Detask.dryRun");
  }

  /** The origin's URL when the repository has one (without credentials), else the folder above. */
  private static String url(Path repo) throws GitException {
    if (!GitRepo.isRepository(repo)) {
      return "..";
    }
    try (GitRepo git = GitRepo.open(repo)) {
      String origin = git.repository().getConfig().getString("remote", "origin", "url");
      if (origin == null || origin.isBlank() || Origin.parse(origin).hasCredentials()) {
        return "..";
      }
      return origin;
    }
  }

  /** How many files {@code include} matches: git's tracked files, or the folder's. */
  private static int matches(Path repo, String include) throws IOException, GitException {
    Glob glob = Glob.compile(include);
    List<String> files;
    if (GitRepo.isRepository(repo)) {
      try (GitRepo git = GitRepo.open(repo)) {
        files = git.trackedFiles();
      }
    } else {
      try (Stream<Path> walk = Files.walk(repo)) {
        files =
            walk.filter(Files::isRegularFile)
                .map(p -> repo.relativize(p).toString().replace('\\', '/'))
                .filter(p -> !p.startsWith(".git/") && !p.startsWith("target/"))
                .toList();
      }
    }
    return (int) files.stream().filter(glob::matches).count();
  }

  /** The C1-only JIT flag for etask's short-lived JVM, in a jvm.config the repository lacks. */
  private void jvmConfig(Path repo) throws IOException {
    Path config = repo.resolve(".mvn/jvm.config");
    String flag = "-XX:TieredStopAtLevel=1";
    if (!Files.exists(config)) {
      AtomicFiles.write(config, flag + "\n");
      getLog().info("  wrote " + config + " (" + flag + ": etask's JVM starts faster)");
    } else if (!Files.readString(config).contains(flag)) {
      getLog().info("  " + config + " exists: add " + flag + " to it for a faster start");
    }
  }
}
