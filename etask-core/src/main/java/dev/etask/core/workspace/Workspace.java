package dev.etask.core.workspace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where one task lives: {@code <workDir>/<id>/} holds the clone ({@code repo/}), venv, reports,
 * caches, logs, the run state and the lock; {@code <artifactsDir>/<id>/} holds what outlives
 * {@code etask:clean}. {@link #on(Path)} points the same workspace at another checkout.
 */
public record Workspace(String id, Path root, Path artifacts, Path repo) {

  public static Workspace of(Path workDir, Path artifactsDir, String id) {
    Path w = workDir.toAbsolutePath().normalize();
    Path a = (artifactsDir == null ? w.resolve("artifacts") : artifactsDir.toAbsolutePath().normalize()).resolve(id);
    return new Workspace(id, w.resolve(id), a, w.resolve(id).resolve("repo"));
  }

  /** The same workspace (venv, caches, reports) working on another checkout. */
  public Workspace on(Path checkout) {
    return new Workspace(id, root, artifacts, checkout.toAbsolutePath().normalize());
  }

  public Path venv() {
    return root.resolve("venv");
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

  public Path stateFile() {
    return root.resolve("state.json");
  }

  public Path lockFile() {
    return root.resolve(".lock");
  }

  public Path promptFile() {
    return root.resolve("prompt.md");
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

  public void createFolders() throws IOException {
    for (Path p : new Path[] {root, reports(), cache(), logs(), artifacts}) {
      Files.createDirectories(p);
    }
  }
}
