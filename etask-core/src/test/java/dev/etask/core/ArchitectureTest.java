package dev.etask.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dependency rules of DESIGN §1, checked on the sources. */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/dev/etask/core");

  private static List<String> offenders(Path folder, String forbiddenImportPrefix) throws IOException {
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
        try {
          return Files.readAllLines(p).stream()
              .anyMatch(l -> l.startsWith("import " + forbiddenImportPrefix) || l.startsWith("import static " + forbiddenImportPrefix));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).map(Path::toString).toList();
    }
  }

  @Test
  void coreImportsNoMaven() throws IOException {
    assertThat(Files.isDirectory(MAIN)).isTrue();
    assertThat(offenders(MAIN, "org.apache.maven")).isEmpty();
  }

  @Test
  void specAndProcessImportNothingOfOurs() throws IOException {
    for (String pkg : List.of("spec", "process")) {
      try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
        List<String> bad = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
          try {
            return Files.readAllLines(p).stream().anyMatch(l -> l.startsWith("import dev.etask.core.")
                && !l.startsWith("import dev.etask.core." + pkg + "."));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }).map(Path::toString).toList();
        assertThat(bad).as(pkg + " imports other etask packages").isEmpty();
      }
    }
  }

  @Test
  void onlyTheEngineSequencesPhasesAndNothingImportsIt() throws IOException {
    for (String pkg : List.of("spec", "process", "git", "gates", "rules", "generate", "pr", "report", "state", "workspace")) {
      assertThat(offenders(MAIN.resolve(pkg), "dev.etask.core.engine")).as(pkg).isEmpty();
    }
  }
}
