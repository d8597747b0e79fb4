package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.state.BatchState;
import dev.etask.core.workspace.DependencyPins;
import dev.etask.core.workspace.PackageIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code batch_mode: per_dependency}: one batch per pinned dependency of the declaration files in
 * {@code target.include} whose pin the package index serves a newer final release of, holding the
 * files that pin it (and {@code uv.lock} or {@code poetry.lock}, locked again), its objective the
 * upgrade. The index is asked here, by etask itself: nothing the repository holds runs to find the
 * versions.
 */
final class DependencyPlan {
  static final String UV_LOCK = "uv.lock";
  static final String POETRY_LOCK = "poetry.lock";

  private DependencyPlan() {}

  static List<BatchState> plan(RunContext c, List<String> targets) {
    if (c.config().offline()) {
      throw new EtaskException(
          Code.OFFLINE,
          "batch_mode: per_dependency asks the package index for the newest versions, and this"
              + " run is offline (-o)",
          Hints.online());
    }
    Map<String, List<DependencyPins.Pin>> byName = pins(c, targets);
    PackageIndex index =
        PackageIndex.configured(
            c.runner(),
            c.python().environments().forInstall(),
            c.ws().repo(),
            c.spec().python().interpreter());
    List<BatchState> batches = new ArrayList<>();
    String lock =
        Files.isRegularFile(c.ws().repo().resolve(UV_LOCK))
            ? UV_LOCK
            : Files.isRegularFile(c.ws().repo().resolve(POETRY_LOCK)) ? POETRY_LOCK : null;
    for (List<DependencyPins.Pin> pins : byName.values()) {
      DependencyPins.Pin first = pins.get(0);
      Optional<String> newest = newest(c, index, first.name());
      // every pin of it that is older moves (two files, or two markers, may pin two versions)
      List<DependencyPins.Pin> older =
          pins.stream()
              .filter(p -> newest.isPresent() && PackageIndex.newer(newest.get(), p.version()))
              .toList();
      if (older.isEmpty()) {
        c.out().info(first.name() + " " + first.version() + ": " + why(newest, pins));
        continue;
      }
      first = older.get(0);
      List<String> files = new ArrayList<>();
      older.forEach(p -> files.add(p.file()));
      if (lock != null && files.contains("pyproject.toml")) {
        files.add(lock); // the lock file beside the project's pyproject.toml
      }
      batches.add(
          new BatchState(batches.size(), files.stream().distinct().toList())
              .upgrading(new BatchState.Upgrade(first.name(), first.version(), newest.get())));
    }
    c.out()
        .info(
            byName.size()
                + " pinned dependenc"
                + (byName.size() == 1 ? "y" : "ies")
                + ", "
                + batches.size()
                + " with a newer release on "
                + c.redact(index.url()));
    return batches;
  }

  /** Why no pin of a package moves. */
  private static String why(Optional<String> newest, List<DependencyPins.Pin> pins) {
    if (newest.isEmpty()) {
      return "the index serves no final release of it (nothing to upgrade)";
    }
    boolean comparable = pins.stream().allMatch(p -> PackageIndex.isFinal(p.version()));
    return comparable
        ? "the newest release the index serves (nothing to upgrade)"
        : "pinned to a version etask does not compare with final releases (a local, pre- or"
            + " post-release): left as it is";
  }

  /** The pins of the declaration files among {@code targets}, by normalised name, in order. */
  private static Map<String, List<DependencyPins.Pin>> pins(RunContext c, List<String> targets) {
    Map<String, List<DependencyPins.Pin>> byName = new LinkedHashMap<>();
    for (String t : targets) {
      if (!DependencyPins.declares(t)) {
        continue;
      }
      try {
        for (DependencyPins.Pin p : DependencyPins.read(c.ws().repo(), t)) {
          byName.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p);
        }
      } catch (IOException | RuntimeException e) {
        throw new EtaskException(
            Code.NO_TARGETS,
            "cannot read the dependencies of " + t + ": " + e.getMessage(),
            Hints.dependencyFiles(c.config().spec()));
      }
    }
    if (byName.isEmpty()) {
      throw new EtaskException(
          Code.NO_TARGETS,
          "batch_mode: per_dependency found no pinned dependency (name==version) in " + targets,
          Hints.dependencyFiles(c.config().spec()));
    }
    return byName;
  }

  private static Optional<String> newest(RunContext c, PackageIndex index, String name) {
    try {
      return index.newest(name);
    } catch (IOException | RuntimeException e) {
      throw new EtaskException(
          Code.ENV_FAILED,
          "cannot ask the package index "
              + c.redact(index.url())
              + " for "
              + name
              + ": "
              + c.redact(e.getMessage() == null ? e.toString() : e.getMessage()),
          Hints.packageIndex());
    }
  }
}
