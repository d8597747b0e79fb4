package dev.etask.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * No method of the plugin is longer than {@value #MAX} lines, from its declaration to its closing
 * brace (docs/ARCHITECTURE.md, "Size"): a method that does five things is split by step.
 */
class MethodLengthTest {
  static final int MAX = 60;

  @Test
  void noMethodIsLongerThanSixtyLines() throws IOException {
    Map<String, Integer> tooLong = new TreeMap<>();
    lengths(Path.of("src/main/java")).forEach((m, n) -> tooLong.put(m, n));
    lengths(Path.of("../etask-maven-plugin/src/main/java")).forEach((m, n) -> tooLong.put(m, n));
    tooLong.values().removeIf(n -> n <= MAX);
    assertThat(tooLong).as("split these methods by step (at most %d lines each)", MAX).isEmpty();
  }

  @Test
  void theCheckSeesALongMethod() throws IOException {
    Path dir = Files.createTempDirectory("method-length");
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < MAX; i++) {
      body.append("    int x").append(i).append(" = ").append(i).append(";\n");
    }
    Files.writeString(
        dir.resolve("A.java"),
        "class A {\n  void longOne() {\n"
            + body
            + "  }\n\n  static class B {\n    int shortOne() {\n      return 1;\n    }\n  }\n}\n");
    assertThat(lengths(dir)).containsEntry("A.longOne", MAX + 2).containsEntry("A.B.shortOne", 3);
  }

  /** Every method under {@code root}: {@code Class.method} → its lines (the longest overload). */
  static Map<String, Integer> lengths(Path root) throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    JavaSources.parse(
        root,
        (unit, positions) ->
            new TreePathScanner<Void, Void>() {
              private final Deque<String> classes = new ArrayDeque<>();

              @Override
              public Void visitClass(ClassTree node, Void unused) {
                String name = node.getSimpleName().toString();
                classes.addLast(name.isEmpty() ? "(anonymous)" : name);
                try {
                  return super.visitClass(node, unused);
                } finally {
                  classes.removeLast();
                }
              }

              @Override
              public Void visitMethod(MethodTree node, Void unused) {
                if (node.getBody() != null) {
                  long start =
                      unit.getLineMap()
                          .getLineNumber(
                              node.getModifiers().getFlags().isEmpty()
                                      && node.getModifiers().getAnnotations().isEmpty()
                                  ? positions.getStartPosition(unit, node)
                                  : positions.getStartPosition(unit, node.getModifiers()));
                  long end = unit.getLineMap().getLineNumber(positions.getEndPosition(unit, node));
                  out.merge(
                      String.join(".", classes) + "." + node.getName(),
                      (int) (end - start + 1),
                      Math::max);
                }
                return super.visitMethod(node, unused);
              }
            }.scan(unit, null));
    return out;
  }
}
