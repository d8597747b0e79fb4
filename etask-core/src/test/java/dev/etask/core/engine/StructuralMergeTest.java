package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rebase's structural merge of a test file, run with the machine's Python on real files. */
class StructuralMergeTest {
  @TempDir Path dir;
  String said;

  /** The merged file, or null when the script refused (said says why). */
  private String merge(String base, String upstream, String task) throws Exception {
    Path script = dir.resolve("structural_merge.py");
    if (!Files.exists(script)) {
      try (InputStream in =
          getClass().getResourceAsStream("/dev/etask/core/engine/structural_merge.py")) {
        Files.write(script, in.readAllBytes());
      }
    }
    Path b = Files.writeString(dir.resolve("base.py"), base);
    Path u = Files.writeString(dir.resolve("upstream.py"), upstream);
    Path t = Files.writeString(dir.resolve("task.py"), task);
    Path out = dir.resolve("out.py");
    Files.deleteIfExists(out);
    Process p =
        new ProcessBuilder(
                List.of(
                    "python3",
                    script.toString(),
                    b.toString(),
                    u.toString(),
                    t.toString(),
                    out.toString()))
            .redirectErrorStream(true)
            .start();
    said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.exitValue() == 0 ? Files.readString(out) : null;
  }

  private static final String BASE =
      """
      import pytest

      from app import f


      def test_f():
          assert f(1) == 1


      if __name__ == "__main__":
          pytest.main([__file__])
      """;

  @Test
  void bothSidesNewTestsAreKeptTheTasksRenamedWhenTheNameIsTakenBeforeTheMainBlock()
      throws Exception {
    String upstream =
        BASE.replace("from app import f", "from app import f, g")
            .replace("\n\nif __name__", "\n\ndef test_g():\n    assert g() == 2\n\n\nif __name__");
    String task =
        BASE.replace("import pytest\n", "import os\nimport pytest\n")
            .replace(
                "\n\nif __name__",
                """


                # the negative case
                @pytest.mark.parametrize("x", [1, 2])
                def test_g(x):
                    assert f(-x) == -x


                @pytest.fixture
                def devnull():
                    return os.devnull


                class TestF:
                    def test_one(self, devnull):
                        assert devnull


                if __name__""");
    String merged = merge(BASE, upstream, task);
    assertThat(merged).as(said).isNotNull();
    assertThat(said).contains("\"renamed\": {\"test_g\": \"test_g_2\"}").contains("import os");
    assertThat(merged)
        .contains("def test_g():\n    assert g() == 2")
        .contains("# the negative case\n@pytest.mark.parametrize(\"x\", [1, 2])\ndef test_g_2(x):")
        .contains("@pytest.fixture\ndef devnull():")
        .contains("class TestF:\n    def test_one(self, devnull):")
        .contains("from app import f, g\nimport os\n");
    assertThat(merged.indexOf("class TestF")).isLessThan(merged.indexOf("if __name__"));
    assertThat(merged.split("if __name__", -1)).hasSize(2); // one main block
  }

  @Test
  void sameNamedClassesAndOtherImportStylesSurvive() throws Exception {
    String upstream = BASE + "\n\nclass TestApp:\n    def test_a(self):\n        assert 1\n";
    String task =
        BASE.replace("import pytest\n", "import pytest\nfrom app import g as gee\n")
            + "\n\nclass TestApp:\n    def test_b(self):\n        assert gee() == 2\n";
    String merged = merge(BASE, upstream, task);
    assertThat(merged)
        .as(said)
        .contains("class TestApp:\n    def test_a")
        .contains("class TestApp_2:");
    assertThat(merged).contains("from app import g as gee");
  }

  @Test
  void aTaskThatChangedWhatWasThereIsNoUnionAndIsRefused() throws Exception {
    String task = BASE.replace("assert f(1) == 1", "assert f(1) == 2");
    String upstream = BASE.replace("from app import f", "from app import f  # the app");
    assertThat(merge(BASE, upstream, task)).isNull();
    assertThat(said).contains("the task changed test_f");
    assertThat(merge(BASE, upstream, "def broken(:\n")).isNull();
    assertThat(said).contains("does not parse");
  }
}
