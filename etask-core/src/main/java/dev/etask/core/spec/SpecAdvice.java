package dev.etask.core.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What a spec allows that it probably did not mean to: said as warnings when the task starts, never
 * an error (the spec is valid).
 */
public final class SpecAdvice {
  private SpecAdvice() {}

  public static List<String> warnings(TaskSpec spec) {
    List<String> out = new ArrayList<>();
    for (Glob g : spec.target().writable()) {
      String p = g.pattern();
      if (p.equals("**") || p.equals("**/*")) {
        out.add(
            "target.writable: ['"
                + p
                + "'] lets a batch change any file of the repository (only the files that"
                + " configure the tests still need naming): name the folders it may change,"
                + " such as tests/**");
      }
    }
    return out;
  }
}
