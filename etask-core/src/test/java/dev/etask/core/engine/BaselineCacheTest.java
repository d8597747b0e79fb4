package dev.etask.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.etask.core.gates.Coverage;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.TestResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineCacheTest {
  @TempDir Path tmp;
  final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  final dev.etask.core.process.Redactor redactor = dev.etask.core.process.Redactor.none();

  private BaselineCache cache() {
    return new BaselineCache(
        tmp.resolve("cache"),
        new Listener() {
          @Override
          public void phase(String name, String detail) {}

          @Override
          public void info(String line) {}

          @Override
          public void warn(String line) {
            warnings.add(line);
          }
        },
        redactor);
  }

  private static GateReport report(int passed) {
    return new GateReport(
        new TestResults(passed, 0, 0, 0, List.of(), "", List.of("t::a")),
        new Coverage(81.5, Map.of()),
        List.of(),
        List.of(),
        List.of(),
        Map.of());
  }

  private Path data(String content) throws Exception {
    Path d = tmp.resolve("data-" + content.hashCode() + ".coverage");
    Files.writeString(d, content);
    return d;
  }

  @Test
  void anEntryIsFoundWithItsReportItsDataAndWhereItWasMeasured() throws Exception {
    BaselineCache cache = cache();
    String key = BaselineCache.key("tree1", Map.of("pytest", "8.3"));
    assertThat(cache.find(key)).isEmpty();
    cache.put(key, report(7), data("lines"), Path.of("/w/t/repo"));
    BaselineCache.Entry e = cache.find(key).orElseThrow();
    assertThat(e.report().tests().passed()).isEqualTo(7);
    assertThat(e.report().coveragePercent()).isEqualTo(81.5);
    assertThat(Files.readString(e.coverageData())).isEqualTo("lines");
    assertThat(e.root()).isEqualTo("/w/t/repo");
    // another tree, another environment: other keys
    assertThat(BaselineCache.key("tree2", Map.of("pytest", "8.3"))).isNotEqualTo(key);
    assertThat(BaselineCache.key("tree1", Map.of("pytest", "8.4"))).isNotEqualTo(key);
    assertThat(warnings).isEmpty();
  }

  @Test
  void aDamagedOrHalfWrittenEntryIsIgnoredRemovedAndWrittenAgain() throws Exception {
    BaselineCache cache = cache();
    String key = BaselineCache.key("tree1");
    cache.put(key, report(7), data("lines"), Path.of("/w/t/repo"));
    Path entry = cache.entry(key);

    Files.writeString(entry.resolve("data.coverage"), "other lines");
    assertThat(cache.find(key)).isEmpty();
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("coverage data is not what was written");
    assertThat(entry).doesNotExist();

    cache.put(key, report(7), data("lines"), Path.of("/w/t/repo"));
    Files.delete(entry.resolve("entry.json")); // as if a copy by hand stopped half-way
    assertThat(cache.find(key)).isEmpty();
    assertThat(entry).doesNotExist();

    cache.put(key, report(7), data("lines"), Path.of("/w/t/repo"));
    Files.writeString(entry.resolve("report.json"), "{\"tests\":");
    assertThat(cache.find(key)).isEmpty();

    cache.put(key, report(9), data("lines"), Path.of("/w/t/repo"));
    assertThat(cache.find(key).orElseThrow().report().tests().passed()).isEqualTo(9);
    assertThat(warnings).hasSize(3);
  }

  @Test
  void twoTasksStoringTheSameEntryAtOnceBothSucceed() throws Exception {
    String key = BaselineCache.key("tree1");
    int writers = 4;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        done.add(
            pool.submit(
                () -> {
                  BaselineCache cache = cache();
                  Path d = data("lines");
                  start.await();
                  cache.put(key, report(5), d, Path.of("/w/t" + n + "/repo"));
                  return cache.find(key).orElseThrow();
                }));
      }
      for (Future<?> f : done) {
        assertThat(f.get()).isNotNull();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(warnings).isEmpty();
    try (var left = Files.list(tmp.resolve("cache/baselines"))) {
      assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly(key);
    }
  }

  @Test
  void aSecretInAReportNeverReachesTheSharedFolderAndProblemsAreNotHandedOn() throws Exception {
    redactor.add("s3cr3t-t0ken-value");
    BaselineCache cache = cache();
    GateReport leaky =
        new GateReport(
            new TestResults(
                1, 1, 0, 0, List.of("t::b"), "AssertionError: s3cr3t-t0ken-value", List.of("t::a")),
            new Coverage(50.0, Map.of()),
            List.of(),
            List.of(),
            List.of(),
            Map.of());
    String key = BaselineCache.key("tree1");
    cache.put(key, leaky, null, tmp);
    assertThat(Files.readString(cache.entry(key).resolve("report.json")))
        .contains("AssertionError")
        .doesNotContain("s3cr3t-t0ken-value");
    GateReport blind =
        new GateReport(
            new TestResults(1, 0, 0, 0, List.of(), "", List.of("t::a")),
            new Coverage(50.0, Map.of()),
            List.of(),
            null,
            List.of("mypy could not run (exit 137)"),
            Map.of());
    cache.put(BaselineCache.key("tree2"), blind, null, tmp);
    assertThat(cache.find(BaselineCache.key("tree2"))).isEmpty();
  }

  @Test
  void withoutACacheFolderNothingIsStoredOrFound() {
    BaselineCache off =
        new BaselineCache(null, Listener.silent(), dev.etask.core.process.Redactor.none());
    off.put("k", report(1), null, Path.of("/r"));
    assertThat(off.find("k")).isEmpty();
  }

  @Test
  void theKeyIsTheSameWhateverOrderAMapOfTheInputsIsIn() {
    Map<String, String> one = new java.util.LinkedHashMap<>();
    Map<String, String> other = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      one.put("package-" + i, "1." + i);
      other.put("package-" + (49 - i), "1." + (49 - i));
    }
    assertThat(BaselineCache.key("tree", one)).isEqualTo(BaselineCache.key("tree", other));
    other.put("package-0", "2.0");
    assertThat(BaselineCache.key("tree", one)).isNotEqualTo(BaselineCache.key("tree", other));
    // a locked project (the lock's pins are a map): the same key whichever order they came in
    assertThat(BaselineCache.key("tree", locked(one)))
        .isEqualTo(BaselineCache.key("tree", locked(new java.util.TreeMap<>(one).descendingMap())));
    assertThat(BaselineCache.key("tree", locked(one)))
        .isNotEqualTo(BaselineCache.key("tree", locked(other)));
  }

  private static dev.etask.core.workspace.Project locked(Map<String, String> pins) {
    return new dev.etask.core.workspace.Project(
        List.of("-e", "."),
        List.of("src"),
        List.of("tests"),
        true,
        "pytest",
        "",
        null,
        Map.of(),
        Map.of(),
        true,
        List.of(),
        null,
        "uv.lock",
        pins,
        "digest");
  }
}
