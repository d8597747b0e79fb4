package dev.etask.core.git;

import java.util.ArrayList;
import java.util.List;

/** How a folder differs from a git tree; every list holds paths from the folder's root. */
public record TreeDifferences(
    List<String> changed,
    List<String> missing,
    List<String> untracked,
    List<String> ignored,
    List<String> ownedChanged,
    List<String> submodulesEdited) {
  /** Differences without submodules whose files changed. */
  public TreeDifferences(
      List<String> changed,
      List<String> missing,
      List<String> untracked,
      List<String> ignored,
      List<String> ownedChanged) {
    this(changed, missing, untracked, ignored, ownedChanged, List.of());
  }

  /** Empty differences whose lists a scan fills. */
  static TreeDifferences collecting() {
    return new TreeDifferences(
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>(),
        new ArrayList<>());
  }

  public boolean none() {
    return changed.isEmpty()
        && missing.isEmpty()
        && untracked.isEmpty()
        && ignored.isEmpty()
        && ownedChanged.isEmpty()
        && submodulesEdited.isEmpty();
  }

  /** The changes a generator made, against the tree it started from (extra ignored files not). */
  public List<Change> changes() {
    List<Change> out = new ArrayList<>();
    untracked.forEach(p -> out.add(new Change(p, Change.Kind.ADDED)));
    changed.forEach(p -> out.add(new Change(p, Change.Kind.MODIFIED)));
    missing.forEach(p -> out.add(new Change(p, Change.Kind.DELETED)));
    out.sort(java.util.Comparator.comparing(Change::path));
    return out;
  }

  /** One line naming every difference, at most {@code n} of each kind. */
  public String describe(int n) {
    List<String> parts = new ArrayList<>();
    add(parts, "changed", changed, n);
    add(parts, "deleted", missing, n);
    add(parts, "added", untracked, n);
    add(parts, "added (ignored by git)", ignored, n);
    add(parts, "changed (installed by the project)", ownedChanged, n);
    add(parts, "files changed inside the submodule", submodulesEdited, n);
    return String.join("; ", parts);
  }

  private static void add(List<String> parts, String what, List<String> paths, int n) {
    if (!paths.isEmpty()) {
      parts.add(
          what
              + ": "
              + String.join(", ", paths.subList(0, Math.min(n, paths.size())))
              + (paths.size() > n ? ", … (" + paths.size() + ")" : ""));
    }
  }
}
