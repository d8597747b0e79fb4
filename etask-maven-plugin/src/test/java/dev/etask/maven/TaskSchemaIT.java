package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema of task.yaml, checked by a real validator (check-jsonschema from PyPI): every spec the
 * loader accepts (the bundled ones and the ITs') is valid against it, and a key the loader refuses
 * is refused by the schema too.
 */
class TaskSchemaIT {
  static final Path SCHEMA = Path.of("..", "tasks", "schema", "task.schema.json").toAbsolutePath();

  @TempDir Path tmp;

  @Test
  void everySpecTheLoaderAcceptsIsValidAgainstTheSchema() throws Exception {
    List<String> accepted = new ArrayList<>();
    try (Stream<Path> specs =
        Stream.concat(
            Files.walk(Path.of("..", "tasks"), 2), Files.walk(Path.of("..", "src", "it")))) {
      for (Path p : specs.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        try {
          SpecLoader.load(p);
          accepted.add(p.toAbsolutePath().normalize().toString());
        } catch (RuntimeException e) {
          // a spec an IT means to be wrong, or one whose repository the IT makes first
        }
      }
    }
    assertThat(accepted).hasSizeGreaterThan(20);
    List<String> args = new ArrayList<>(List.of("--schemafile", SCHEMA.toString()));
    args.addAll(accepted);
    assertThat(MatrixIT.checkJsonschema(args.toArray(String[]::new))).isEqualTo("ok");
  }

  @Test
  void aKeyTheLoaderRefusesTheSchemaRefusesToo() throws Exception {
    Path spec = tmp.resolve("task.yaml");
    Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(
        spec,
        "id: t\nobjective: o\nrepository: {url: repo}\ntarget: {include: [a.py]}\n"
            + "pr: {provider: local, max_line: 5}\n");
    String refused = "";
    try {
      SpecLoader.load(spec);
    } catch (RuntimeException e) {
      refused = e.getMessage();
    }
    assertThat(refused).contains("unknown key 'pr.max_line'; did you mean 'max_lines'?");
    assertThat(MatrixIT.checkJsonschema("--schemafile", SCHEMA.toString(), spec.toString()))
        .contains("exit 1")
        .contains("max_line");
  }
}
