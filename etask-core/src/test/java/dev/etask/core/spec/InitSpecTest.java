package dev.etask.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitSpecTest {
  @TempDir Path dir;

  @Test
  void theRepositorysLayoutRunnerAndToolsAreReadFromItsFiles() throws Exception {
    Files.createDirectories(dir.resolve("test"));
    Files.writeString(
        dir.resolve("setup.cfg"), "[tool:pytest]\naddopts = -q\n[mypy]\nstrict = True\n");
    assertThat(InitSpec.detect(dir))
        .isEqualTo(
            new InitSpec.Detected(
                "flat", "test", "pytest (configured in setup.cfg)", List.of("mypy")));
    Files.createDirectories(dir.resolve("src"));
    Files.createDirectories(dir.resolve("tests"));
    Files.writeString(dir.resolve("pyproject.toml"), "[tool.pytest.ini_options]\n[tool.ruff]\n");
    InitSpec.Detected d = InitSpec.detect(dir);
    assertThat(d)
        .isEqualTo(
            new InitSpec.Detected(
                "src", "tests", "pytest (configured in pyproject.toml)", List.of("ruff", "mypy")));
    assertThat(d.describe())
        .isEqualTo(
            "src layout; tests in tests/, run by pytest (configured in pyproject.toml); ruff and mypy configured");
  }

  @Test
  void everyTypesSpecLoadsAsWritten() throws Exception {
    InitSpec.Detected d = new InitSpec.Detected("src", "tests", "pytest", List.of());
    for (String type : TaskTypes.names()) {
      String id = InitSpec.id(type, "src/Service/*.py");
      String text =
          InitSpec.text(id, type, "src/service/*.py", "..", d, "python {spec_dir}/g.py {file}");
      Path spec = dir.resolve("tasks/" + id + ".yaml");
      Files.createDirectories(spec.getParent());
      Files.writeString(spec, text);
      TaskSpec loaded = SpecLoader.load(spec);
      assertThat(loaded.type()).as(text).isEqualTo(type);
      assertThat(loaded.id()).isEqualTo(type + "-service");
    }
    assertThat(InitSpec.objective("add-tests", "src/a.py"))
        .isEqualTo("Add unit tests for src/a.py");
  }
}
