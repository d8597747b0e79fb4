package dev.etask.core.gates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers against real outputs of pytest 9, coverage 7, ruff 0.17 and mypy 2
 * (src/test/resources/reports).
 */
class ReportsTest {
  private static final Path REPO = Path.of("/tmp/bad");

  private static Path resource(String name) throws Exception {
    return Path.of(ReportsTest.class.getResource("/reports/" + name).toURI());
  }

  @Test
  void junitWithFailuresErrorsAndSkips() throws Exception {
    TestResults r = Reports.junit(resource("junit-failures.xml"));
    assertThat(r.passed()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.errors()).isEqualTo(1);
    assertThat(r.skipped()).isEqualTo(1);
    assertThat(r.failing())
        .containsExactly("tests.test_mod::test_add_wrong", "tests.test_mod::test_error");
    assertThat(r.failureExcerpt())
        .contains("assert 3 == 4")
        .contains("fixture 'missing_fixture' not found");
  }

  @Test
  void junitAllPassing() throws Exception {
    TestResults r = Reports.junit(resource("junit-pass.xml"));
    assertThat(r.passed()).isEqualTo(9);
    assertThat(r.failing()).isEmpty();
    assertThat(r.failureExcerpt()).isEmpty();
  }

  @Test
  void junitOfOneSessionThatRanEachTestThreeTimes() throws Exception {
    // pytest 9.2 --keep-duplicates, each file named three times; test_a passes on odd runs only
    Map<String, List<Boolean>> runs = Reports.junitRuns(resource("junit-reruns.xml"));
    assertThat(runs)
        .containsExactly(
            Map.entry("tests.test_x::test_a", List.of(true, false, true)),
            Map.entry("tests.test_y::test_ok", List.of(true, true, true)));
  }

  @Test
  void coverageTotalsAndLines() throws Exception {
    Coverage c = Reports.coverage(resource("coverage.json"), REPO);
    assertThat(c.percent()).isBetween(0.0, 100.0);
    Coverage.FileCoverage mod = c.files().get("pkg/mod.py");
    assertThat(mod.executed()).contains(5, 6);
    assertThat(mod.missing()).contains(10, 14);
  }

  @Test
  void ruffFindingsWithRelativePaths() throws Exception {
    List<Finding> f = Reports.ruff(resource("ruff.json"), REPO);
    assertThat(f).extracting(Finding::code).contains("F401", "F821");
    assertThat(f).allMatch(x -> x.file().equals("pkg/mod.py"));
    assertThat(f.get(0).line()).isEqualTo(1);
    assertThat(f.get(0).fingerprint()).isEqualTo("pkg/mod.py|F401|`os` imported but unused");
  }

  @Test
  void ruffSyntaxErrors() throws Exception {
    List<Finding> f = Reports.ruff(resource("ruff-syntax.json"), REPO);
    assertThat(f)
        .isNotEmpty()
        .allMatch(x -> x.code().equals("invalid-syntax") && x.file().equals("pkg/syntax.py"));
  }

  @Test
  void mypyErrorLines() throws Exception {
    List<Finding> f = Reports.mypy(Files.readString(resource("mypy.txt")), REPO);
    assertThat(f)
        .containsExactly(
            new Finding(
                "pkg/mod.py",
                10,
                "return-value",
                "Incompatible return value type (got \"str\", expected \"int\")"));
  }

  @Test
  void mypyJsonLines() throws Exception {
    List<Finding> f = Reports.mypyJson(Files.readString(resource("mypy.jsonl")), REPO);
    assertThat(f)
        .containsExactly(
            new Finding(
                "pkg/mod.py",
                10,
                "return-value",
                "Incompatible return value type (got \"str\", expected \"int\")"));
    assertThat(
            Reports.mypyJson(
                "{\"file\": \"a.py\", \"line\": 1, \"message\": \"m\", \"code\": null,"
                    + " \"severity\": \"note\"}\nSuccess\n",
                REPO))
        .isEmpty();
    assertThatThrownBy(() -> Reports.mypyJson("{not json", REPO))
        .isInstanceOf(ReportFormatException.class);
  }

  @Test
  void mypyJsonOnlyFromVersion111() {
    assertThat(Reports.mypyHasJson("1.10.1")).isFalse();
    assertThat(Reports.mypyHasJson("1.11.0")).isTrue();
    assertThat(Reports.mypyHasJson("2.4.1")).isTrue();
    assertThat(Reports.mypyHasJson(null)).isFalse();
  }

  @Test
  void mypyNotesSummariesAndColumnsAndMissingCodes() {
    String out =
        """
        pkg/a.py:3:5: error: Name "x" is not defined  [name-defined]
        pkg/a.py:3: note: See https://mypy.readthedocs.io
        pkg/b.py:7: error: Something without a code
        Found 2 errors in 2 files (checked 3 source files)
        """;
    assertThat(Reports.mypy(out, REPO))
        .extracting(Finding::toString)
        .containsExactly(
            "pkg/a.py:3: name-defined Name \"x\" is not defined",
            "pkg/b.py:7: misc Something without a code");
  }

  @Test
  void malformedReportsGiveClearErrors(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.xml");
    Files.writeString(bad, "<testsuites><testcase");
    assertThatThrownBy(() -> Reports.junit(bad))
        .isInstanceOf(ReportFormatException.class)
        .hasMessageContaining("cannot read the pytest report");
    Files.writeString(bad, "<html/>");
    assertThatThrownBy(() -> Reports.junit(bad)).hasMessageContaining("not JUnit XML");
    Path json = dir.resolve("bad.json");
    Files.writeString(json, "{\"meta\": {}}");
    assertThatThrownBy(() -> Reports.coverage(json, REPO))
        .hasMessageContaining("no 'totals.percent_covered'");
    Files.writeString(json, "{}");
    assertThatThrownBy(() -> Reports.ruff(json, REPO)).hasMessageContaining("not a JSON array");
    Files.writeString(json, "[{");
    assertThatThrownBy(() -> Reports.ruff(json, REPO))
        .hasMessageContaining("cannot read the ruff report");
    Path dtd = dir.resolve("dtd.xml");
    Files.writeString(
        dtd,
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><testsuites>&e;</testsuites>");
    assertThatThrownBy(() -> Reports.junit(dtd)).isInstanceOf(ReportFormatException.class);
  }
}
