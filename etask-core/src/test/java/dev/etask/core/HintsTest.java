package dev.etask.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.util.TreePathScanner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every next step an {@code EtaskException} gives (its third argument, and that of {@code
 * RunContext.gitFailure}, which makes one) comes from the catalog, {@code spec.Hints}, or passes on
 * the next step an earlier error or check gave ({@code nextStep()}): never an inline text.
 */
class HintsTest {
  @Test
  void everyNextStepComesFromTheCatalog() throws IOException {
    List<String> inline = new ArrayList<>();
    inline.addAll(inlineNextSteps(Path.of("src/main/java")));
    inline.addAll(inlineNextSteps(Path.of("../etask-maven-plugin/src/main/java")));
    assertThat(inline).as("give these a method in dev.etask.core.spec.Hints").isEmpty();
  }

  @Test
  void theCheckSeesAnInlineNextStep() throws IOException {
    Path dir = Files.createTempDirectory("hints");
    Files.writeString(
        dir.resolve("A.java"),
        "class A {\n  void f() {\n"
            + "    throw new EtaskException(null, \"it failed\", \"do this instead\");\n"
            + "  }\n  void g(RunContext c, Exception e) {\n"
            + "    throw c.gitFailure(null, e, \"check \" + c);\n  }\n"
            + "  void h() {\n    throw new EtaskException(null, \"m\", Hints.tryAgain());\n  }\n}\n");
    assertThat(inlineNextSteps(dir)).hasSize(2).allMatch(s -> s.startsWith("A.java:"));
  }

  /** {@code file:line: argument} of every next step that is not the catalog's. */
  static List<String> inlineNextSteps(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    JavaSources.parse(
        root,
        (unit, positions) ->
            new TreePathScanner<Void, Void>() {
              private void check(List<? extends ExpressionTree> args) {
                if (args.size() >= 3 && !fromCatalog(args.get(2))) {
                  long line =
                      unit.getLineMap()
                          .getLineNumber(positions.getStartPosition(unit, args.get(2)));
                  out.add(
                      Path.of(unit.getSourceFile().toUri()).getFileName()
                          + ":"
                          + line
                          + ": "
                          + args.get(2));
                }
              }

              @Override
              public Void visitNewClass(NewClassTree node, Void unused) {
                if (node.getIdentifier().toString().endsWith("EtaskException")) {
                  check(node.getArguments());
                }
                return super.visitNewClass(node, unused);
              }

              @Override
              public Void visitMethodInvocation(MethodInvocationTree node, Void unused) {
                if (name(node.getMethodSelect()).equals("gitFailure")) {
                  check(node.getArguments());
                }
                return super.visitMethodInvocation(node, unused);
              }
            }.scan(unit, null));
    return out;
  }

  /** {@code Hints.x(…)}, {@code hints.x(…)}, {@code c.hints().x(…)}, or a passed-on nextStep(). */
  private static boolean fromCatalog(ExpressionTree next) {
    if (!(next instanceof MethodInvocationTree call)) {
      return false;
    }
    if (name(call.getMethodSelect()).equals("nextStep")) {
      return true;
    }
    if (name(call.getMethodSelect()).equals("redact") && call.getArguments().size() == 1) {
      return fromCatalog(call.getArguments().get(0));
    }
    if (!(call.getMethodSelect() instanceof MemberSelectTree select)) {
      return false;
    }
    ExpressionTree on = select.getExpression();
    return (on instanceof IdentifierTree id
            && (id.getName().contentEquals("Hints") || id.getName().contentEquals("hints")))
        || (on instanceof MethodInvocationTree m && name(m.getMethodSelect()).equals("hints"));
  }

  private static String name(ExpressionTree select) {
    if (select instanceof MemberSelectTree m) {
      return m.getIdentifier().toString();
    }
    return select instanceof IdentifierTree id ? id.getName().toString() : "";
  }
}
