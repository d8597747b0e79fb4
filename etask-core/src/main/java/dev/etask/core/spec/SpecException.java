package dev.etask.core.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** One or more problems in a task spec, each pointing at {@code file:line:column}. */
public final class SpecException extends RuntimeException {

  /** One problem; line and column are 1-based, 0 when unknown. */
  public record Problem(Path file, int line, int column, String message) {
    @Override
    public String toString() {
      String where = file == null ? "<spec>" : file.toString();
      return line > 0 ? where + ":" + line + ":" + column + ": " + message : where + ": " + message;
    }
  }

  private final List<Problem> problems;

  public SpecException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public SpecException(Path file, String message) {
    this(List.of(new Problem(file, 0, 0, message)));
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    return problems.size()
        + " problems in the task spec:\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
