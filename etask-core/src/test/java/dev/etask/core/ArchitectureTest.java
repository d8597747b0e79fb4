package dev.etask.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of DESIGN §1, checked on the bytecode (inline fully-qualified names count
 * too).
 */
class ArchitectureTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.etask.core");
  }

  @Test
  void coreUsesNoMaven() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.apache.maven..")
        .because("the core could run under Gradle or a CLI tomorrow")
        .check(core);
  }

  @Test
  void specProcessAndJsonDependOnNothingOfOurs() {
    List<String> ours =
        List.of(
            "spec",
            "process",
            "json",
            "engine",
            "git",
            "gates",
            "rules",
            "generate",
            "pr",
            "report",
            "state",
            "workspace");
    for (String pkg : List.of("spec", "process", "json")) {
      noClasses()
          .that()
          .resideInAPackage("dev.etask.core." + pkg + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              ours.stream()
                  .filter(p -> !p.equals(pkg))
                  .map(p -> "dev.etask.core." + p + "..")
                  .toArray(String[]::new))
          .because("DESIGN §1: " + pkg + " imports nothing of ours")
          .check(core);
    }
  }

  @Test
  void onlyTheEngineSequencesPhasesAndNothingDependsOnIt() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.etask.core.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.etask.core.engine..")
        .check(core);
  }

  @Test
  void reportsRenderAndRunNothing() {
    noClasses()
        .that()
        .resideInAPackage("dev.etask.core.report..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.etask.core.process..", "dev.etask.core.git..", "dev.etask.core.workspace..")
        .check(core);
  }

  @Test
  void noClassOfTheCoreIsLongerThan400Lines() throws IOException {
    Path main = Path.of("src/main/java/dev/etask/core");
    try (Stream<Path> files = Files.walk(main)) {
      List<String> long_ =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(
                  p -> {
                    try {
                      return Files.readAllLines(p).size() > 400;
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .map(Path::toString)
              .toList();
      assertThat(long_).as("split these by responsibility").isEmpty();
    }
  }
}
