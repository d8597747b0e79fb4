package dev.etask.core.workspace;

import dev.etask.core.process.Environments;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The variables a gate process gets beyond the allowlist: the ones the project's own test command
 * sets ({@code set_env} of its tox environment), then {@code python.env}'s (a name: the caller's
 * value; {@code NAME=value}: that value). "{repo}" in a value is the checkout the gates measure.
 */
final class GateVariables {
  private final List<String> spec;
  private volatile Map<String, String> project = Map.of();

  GateVariables(List<String> spec) {
    this.spec = List.copyOf(spec);
  }

  List<String> spec() {
    return spec;
  }

  /** The project's test command's variables (see the class comment). */
  void useProject(Map<String, String> variables) {
    project = Map.copyOf(variables);
  }

  GateVariables copy() {
    GateVariables c = new GateVariables(spec);
    c.project = project;
    return c;
  }

  /**
   * What a gate process of the checkout at {@code repo} gets; the project's variables only for one
   * that runs its tests ({@code tests}), {@code python.env} on top of them.
   */
  Map<String, String> of(Environments environments, Path repo, boolean tests) {
    Map<String, String> passed = environments.forGates(spec);
    if (tests) {
      Map<String, String> mine = Map.copyOf(passed);
      new java.util.TreeMap<>(project).forEach((k, v) -> passed.put(k, expand(v, repo)));
      spec.stream().filter(mine::containsKey).forEach(name -> passed.put(name, mine.get(name)));
    }
    for (String entry : spec) {
      int eq = entry.indexOf('=');
      if (eq > 0) {
        passed.put(entry.substring(0, eq), expand(entry.substring(eq + 1), repo));
      }
    }
    return passed;
  }

  private static String expand(String value, Path repo) {
    return value.replace("{repo}", repo.toString());
  }
}
