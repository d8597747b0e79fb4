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
 * The dependency rules of docs/ARCHITECTURE.md §1, checked on the bytecode (inline fully-qualified
 * names count too).
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
          .because("docs/ARCHITECTURE.md §1: " + pkg + " imports nothing of ours")
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

  /**
   * docs/ARCHITECTURE.md answers "where is …?" with classes and methods: each one it names in its
   * last section exists, so the answers cannot go stale silently.
   */
  @Test
  void theMethodsThisDocumentNamesExist() throws Exception {
    String doc = Files.readString(Path.of("../docs/ARCHITECTURE.md"));
    String where = doc.substring(doc.indexOf("## Where things are"));
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("`([A-Z]\\w+)\\.([a-z]\\w+)`").matcher(where);
    List<String> named = new java.util.ArrayList<>();
    List<String> missing = new java.util.ArrayList<>();
    while (m.find()) {
      named.add(m.group(1) + "." + m.group(2));
      Class<?> type = null;
      for (String pkg :
          List.of(
              "",
              "engine.",
              "gates.",
              "git.",
              "rules.",
              "spec.",
              "state.",
              "workspace.",
              "report.",
              "pr.",
              "generate.",
              "process.")) {
        try {
          type = Class.forName("dev.etask.core." + pkg + m.group(1));
          break;
        } catch (ClassNotFoundException e) {
          // another package
        }
      }
      String method = m.group(2);
      boolean found =
          type != null
              && (java.util.Arrays.stream(type.getDeclaredMethods())
                      .anyMatch(x -> x.getName().equals(method))
                  || java.util.Arrays.stream(type.getDeclaredFields())
                      .anyMatch(x -> x.getName().equals(method)));
      if (!found) {
        missing.add(m.group(1) + "." + method);
      }
    }
    assertThat(named).contains("CommitPhase.restore", "Pusher.push", "Hints.command");
    assertThat(missing).as("named in docs/ARCHITECTURE.md but not in the code").isEmpty();
  }

  @Test
  void noSourceFileCitesADocumentTheRepositoryDoesNotHold() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src"))) {
      List<String> citing =
          files
              .filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".py"))
              .filter(
                  p -> {
                    try {
                      return Files.readString(p).contains("DESIGN" + " §");
                    } catch (IOException e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .map(Path::toString)
              .toList();
      assertThat(citing).as("cite docs/ARCHITECTURE.md instead").isEmpty();
    }
  }

  @Test
  void theTasksStateChangesOnlyThroughItsMethods() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields()
        .that()
        .areDeclaredInClassesThat()
        .resideInAPackage("dev.etask.core.state..")
        .and()
        .areNotStatic()
        .should()
        .notBePublic()
        .because("RunState and BatchState change through transitions that keep their invariants")
        .check(core);
  }

  @Test
  void theEngineStaysAFacade() throws IOException {
    // one method per goal and how a task is opened and closed; the work lives in the phases
    assertThat(Files.readAllLines(Path.of("src/main/java/dev/etask/core/engine/Engine.java")))
        .hasSizeLessThanOrEqualTo(300);
  }
}
