package dev.etask.core.spec;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for task ids, wherever an id enters (a spec's {@code id}, {@code -Detask.id}): it
 * names a folder under the work folder and a branch, so it can never climb out of the work folder
 * or take the name of a folder etask keeps for itself.
 */
public final class TaskIds {
  public static final String RULE =
      "lower-case letters, digits and '-', starting with a letter or digit, at most"
          + " 63 characters";

  /** Folders of the work folder that belong to etask itself, never to one task. */
  public static final Set<String> RESERVED =
      Set.of("artifacts", "origins", "validate", "cache", "tools", "launch", "dashboard", "matrix");

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  private TaskIds() {}

  /** Why {@code id} is refused, or null when it is a valid task id. */
  public static String problem(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return "invalid task id '"
          + id
          + "': use "
          + RULE
          + " (it names the branch and the workspace folder)";
    }
    if (RESERVED.contains(id)) {
      return "the task id '"
          + id
          + "' is reserved: etask keeps a folder of that name for itself (reserved: "
          + String.join(", ", new java.util.TreeSet<>(RESERVED))
          + "); choose another id";
    }
    return null;
  }

  /**
   * Returns {@code id} when valid, else throws {@link IllegalArgumentException} naming the rule.
   */
  public static String require(String id) {
    String problem = problem(id);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return id;
  }
}
