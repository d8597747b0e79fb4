package dev.etask.core;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/** The Java sources under a folder, parsed (not compiled) with the JDK's own parser, for checks. */
final class JavaSources {
  private JavaSources() {}

  /**
   * What a check does with one parsed file: its tree, and where each node of it starts and ends.
   */
  interface Visitor {
    void visit(CompilationUnitTree unit, SourcePositions positions);
  }

  /** Parses every {@code .java} file under {@code root} and hands each to {@code visitor}. */
  static void parse(Path root, Visitor visitor) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(root)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    try (StandardJavaFileManager fm = compiler.getStandardFileManager(null, null, null)) {
      JavacTask task =
          (JavacTask)
              compiler.getTask(
                  null,
                  fm,
                  null,
                  List.of("-proc:none"),
                  null,
                  fm.getJavaFileObjectsFromPaths(files));
      SourcePositions positions = Trees.instance(task).getSourcePositions();
      for (CompilationUnitTree unit : task.parse()) {
        visitor.visit(unit, positions);
      }
    }
  }
}
