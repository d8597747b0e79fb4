package dev.etask.core.spec;

import dev.etask.core.spec.SpecException.Problem;
import java.util.ArrayList;
import java.util.List;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** The problems of one spec file, each at its line and column. */
final class SpecProblems {
  private final java.nio.file.Path file;
  private final List<Problem> list = new ArrayList<>();

  SpecProblems(java.nio.file.Path file) {
    this.file = file;
  }

  List<Problem> all() {
    return list;
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  void add(Problem p) {
    list.add(p);
  }

  void error(Node node, String message) {
    list.add(at(node, 0, message));
  }

  Problem at(Node node, int offset, String message) {
    Mark mark = node == null ? null : node.getStartMark().orElse(null);
    if (mark == null) {
      return new Problem(file, 0, 0, message);
    }
    return new Problem(file, mark.getLine() + 1, mark.getColumn() + 1 + offset, message);
  }

  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) node;
    Tag tag = s.getTag();
    if (Tag.NULL.equals(tag)) {
      return "nothing (null)";
    }
    if (Tag.BOOL.equals(tag)) {
      return "a boolean '" + s.getValue() + "'";
    }
    if (Tag.INT.equals(tag) || Tag.FLOAT.equals(tag)) {
      return "a number '" + s.getValue() + "'";
    }
    return "a string '" + s.getValue() + "'";
  }
}
