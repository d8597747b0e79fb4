package dev.etask.core.workspace;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where one task lives: {@code <workDir>/<id>/} holds the clone ({@code repo/}), venv, reports,
 * caches, logs, the scratch folder of the current attempt, the children's HOME, the run state and
 * the lock, and a {@value #MARKER} file naming the id; {@code <artifactsDir>/<id>/} holds what
 * outlives {@code etask:clean}. {@link #on(Path)} points the same workspace at another checkout.
 */
public record Workspace(String id, Path root, Path artifacts, Path repo) {
  /**
   * The marker that makes a folder a task's workspace: {@code etask:clean} deletes nothing without
   * it.
   */
  public static final String MARKER = ".etask-workspace";

  /**
   * The workspace of task {@code id}; the id must be a valid task id (never a path, never a
   * reserved name).
   */
  public static Workspace of(Path workDir, Path artifactsDir, String id) {
    TaskIds.require(id);
    Path w = workDir.toAbsolutePath().normalize();
    if (artifactsDir != null) {
      Path a = artifactsDir.toAbsolutePath().normalize();
      if (a.equals(w)
          || (a.startsWith(w) && !a.getName(w.getNameCount()).toString().equals("artifacts"))) {
        throw new EtaskException(
            Code.SPEC_INVALID,
            "etask.artifactsDir "
                + a
                + " is inside etask.workDir "
                + w
                + ", where every folder is a task's workspace",
            Hints.artifactsOutside(w.resolve("artifacts"), w));
      }
    }
    Path a =
        (artifactsDir == null ? w.resolve("artifacts") : artifactsDir.toAbsolutePath().normalize())
            .resolve(id);
    return new Workspace(id, w.resolve(id), a, w.resolve(id).resolve("repo"));
  }

  /** The same workspace (venv, caches, reports) working on another checkout. */
  public Workspace on(Path checkout) {
    return new Workspace(id, root, artifacts, checkout.toAbsolutePath().normalize());
  }

  public Path venv() {
    return root.resolve("venv");
  }

  /**
   * Present while the venv holds what code the generator wrote made of it (built from a batch's or
   * etask's branch's declarations): its Python is then never given anything tasks share.
   */
  public Path venvFromGeneratedCode() {
    return root.resolve("venv.generated");
  }

  /** pip's and uv's cache for the installs that run in the sandbox: the task's own. */
  public Path installCache() {
    return root.resolve("install-cache");
  }

  public Path reports() {
    return root.resolve("reports");
  }

  public Path cache() {
    return root.resolve("cache");
  }

  public Path logs() {
    return root.resolve("logs");
  }

  /** HOME of every child process: the user's dotfiles and ~/.m2 stay out of reach. */
  public Path home() {
    return root.resolve("home");
  }

  /**
   * The task's Python worker's socket: not sealed against the generator (it decides nothing the
   * gates see; a process that took it over is refused by its peer credentials).
   */
  public Path worker() {
    return root.resolve("worker");
  }

  /**
   * etask's own scripts (the Python helpers, the worker and its client, the reaper, an empty pytest
   * configuration): the sandbox shows them read-only; without it each is checked against what etask
   * ships before every use.
   */
  public Path helpers() {
    return root.resolve("helpers");
  }

  /**
   * The built-in generators' tools: a virtualenv of their own that imports the project through
   * {@link #venv} (its packages never go into it).
   */
  public Path generatorTools() {
    return root.resolve("generator-tools");
  }

  /**
   * One of etask's scripts in {@link #helpers}, written when missing or not {@code content}
   * (without a sandbox a test could have changed it since its last use); its path.
   */
  public Path helper(String fileName, byte[] content) throws IOException {
    Path target = helpers().resolve(fileName);
    AtomicFiles.writeIfChanged(target, content);
    return target;
  }

  /**
   * The output folders of the gate processes, one per measurement ({@link #output}); emptied for
   * every measurement.
   */
  public Path outputs() {
    return root.resolve("out");
  }

  /**
   * The one folder the processes of measurement {@code label} may write (their reports, their
   * worker's socket, their bytecode prefix), beside the tree they measure.
   */
  public Path output(String label) {
    return outputs().resolve(label);
  }

  /**
   * What the tools that never run the repository's code (ruff, mypy) report in measurement {@code
   * label}: beside the tests' output folder, never writable by them (a test could forge another
   * gate's report).
   */
  public Path toolOutput(String label) {
    return outputs().resolve(label + ".tools");
  }

  /**
   * The copy of the exact tree the measurements run on, made anew for each (only the files that
   * differ are written): inside the sandbox it is shown at the clone's own path, so nothing a test
   * writes reaches the clone.
   */
  public Path stagedTree() {
    return root.resolve("tree");
  }

  /**
   * The Python worker's compiled bytecode when tasks share nothing (no sandbox, or a venv built
   * from generated code): a cache of this task's own.
   */
  public Path bytecode() {
    return root.resolve("bytecode");
  }

  /** Made anew for each generator attempt: {@code {workspace}} and the prompt file point here. */
  public Path scratch() {
    return root.resolve("scratch");
  }

  public Path stateFile() {
    return root.resolve("state.json");
  }

  public Path lockFile() {
    return root.resolve(".lock");
  }

  public Path markerFile() {
    return root.resolve(MARKER);
  }

  public Path promptFile() {
    return scratch().resolve("prompt.md");
  }

  public Path statusFile() {
    return artifacts.resolve("status.json");
  }

  public Path prBodyFile() {
    return artifacts.resolve("pr.md");
  }

  public Path failureFile() {
    return artifacts.resolve("FAILURE.md");
  }

  public Path traceFile() {
    return artifacts.resolve("trace.txt");
  }

  /**
   * Creates the folders and the marker naming this task. A folder that is already there becomes the
   * workspace only when it is empty or already marked as this task's: etask never moves into (and
   * later deletes) a folder it did not make.
   */
  public void createFolders() throws IOException {
    if (Files.isSymbolicLink(root)) {
      throw new EtaskException(
          Code.IO_FAILED,
          root
              + " is a symbolic link; a task's workspace must be a real folder"
              + " inside the work folder",
          Hints.linkInWorkDir());
    }
    if (Files.isDirectory(root)) {
      String marked = markerId(root);
      boolean empty;
      try (var entries = Files.list(root)) {
        empty = entries.findAny().isEmpty();
      }
      if (marked == null && !empty) {
        throw new EtaskException(
            Code.IO_FAILED,
            root
                + " already exists and is not an etask workspace (it has no "
                + MARKER
                + " marker); etask does not move into a folder it did not make",
            Hints.anotherWorkDir());
      }
      if (marked != null && !marked.equals(id)) {
        throw new EtaskException(
            Code.IO_FAILED,
            root + " is the workspace of task '" + marked + "', not of '" + id + "'",
            Hints.anotherId());
      }
    }
    for (Path p : new Path[] {root, reports(), cache(), logs(), home(), artifacts}) {
      Files.createDirectories(p);
    }
    if (!Files.exists(markerFile())) {
      AtomicFiles.write(markerFile(), id + "\n");
    }
  }

  /** Empties the scratch folder for a new attempt. */
  public void freshScratch() throws IOException {
    FileTrees.delete(scratch());
    Files.createDirectories(scratch());
  }

  /**
   * Empties the children's HOME: what a generator left there (tool configs in ~/.config) never
   * reaches the gates.
   */
  public void freshHome() throws IOException {
    FileTrees.delete(home());
    Files.createDirectories(home());
  }

  /** The id written in {@code folder}'s marker, or null when it has none. */
  public static String markerId(Path folder) {
    Path marker = folder.resolve(MARKER);
    try {
      return Files.isRegularFile(marker)
          ? Files.readString(marker, StandardCharsets.UTF_8).strip()
          : null;
    } catch (IOException e) {
      return null;
    }
  }
}
