package dev.etask.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etask.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardTest {
  @TempDir Path dir;

  /** A status document as etask writes it; {@code batches} as (first try pass, rebased onto). */
  static StatusDocument status(
      String id,
      int exit,
      boolean partial,
      long commits,
      Double before,
      Double after,
      List<String> labels,
      List<String> conflicts,
      long seconds,
      List<StatusDocument.Batch> batches,
      StatusDocument.Failure failure) {
    return new StatusDocument(
        StatusJson.SCHEMA_VERSION,
        id,
        "auto/" + id,
        "main",
        "0".repeat(40),
        "origin.git",
        "objective",
        commits,
        10,
        0,
        0,
        0,
        before,
        after,
        before == null || after == null ? null : after - before,
        0,
        0,
        List.of(),
        labels,
        "low",
        partial,
        0.0,
        exit,
        "summary of " + id,
        "https://example.test/pr/" + id,
        null,
        "2026-12-07T10:00:00Z",
        java.time.Instant.parse("2026-12-07T10:00:00Z").plusSeconds(seconds).toString(),
        Map.of(),
        null,
        "bwrap",
        false,
        List.of(),
        Map.of(),
        Map.of(),
        0,
        conflicts,
        null,
        null,
        failure,
        null,
        batches,
        List.of());
  }

  static StatusDocument.Batch batch(int index, Boolean firstTry, String rebasedOnto) {
    return new StatusDocument.Batch(
        index,
        List.of("src/a.py"),
        "committed",
        1,
        "accepted",
        "ok",
        List.of(),
        Map.of(),
        List.of(),
        List.of(),
        firstTry,
        "abc",
        1000,
        "full",
        null,
        List.of(),
        rebasedOnto,
        null,
        null);
  }

  private Path write(String folder, StatusDocument s) throws Exception {
    Path file = dir.resolve(folder).resolve("status.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, Json.MAPPER.writeValueAsString(s));
    return file;
  }

  @Test
  void everyTaskIsARowAndTheFiguresAreMeasuredAgainstTheirTargets() throws Exception {
    write(
        "a",
        status(
            "a",
            0,
            false,
            2,
            50.0,
            60.0,
            List.of(),
            List.of(),
            120,
            List.of(batch(1, true, null), batch(2, true, "1".repeat(40))),
            null));
    write(
        "b",
        status(
            "b",
            2,
            true,
            1,
            40.0,
            44.0,
            List.of("needs-manual-review"),
            List.of("src/a.py"),
            600,
            List.of(batch(1, false, "1".repeat(40))),
            null));
    write(
        "c/deeper",
        status(
            "c",
            1,
            false,
            0,
            30.0, // a failed task's coverage is its baseline's: not a gain of 0 to average in
            30.0,
            List.of(),
            List.of(),
            30,
            List.of(),
            new StatusDocument.Failure("GATE_CRASHED", "validate", "pytest crashed", "fix it")));
    // a venv and a clone under the folder are never read
    Files.createDirectories(dir.resolve("venv"));
    Files.writeString(dir.resolve("venv/pyvenv.cfg"), "home = /usr/bin\n");
    Files.writeString(dir.resolve("venv/status.json"), "{}");
    Files.createDirectories(dir.resolve("repo/.git"));
    Files.writeString(dir.resolve("repo/status.json"), "{}");

    Dashboard d = Dashboard.of("here", Dashboard.statusFiles(dir), List.of());

    assertEquals(List.of("a", "b", "c"), d.tasks().stream().map(Dashboard.Task::id).toList());
    assertEquals(
        List.of("ok", "partial", "failed"),
        d.tasks().stream().map(Dashboard.Task::status).toList());
    assertEquals(new Dashboard.Totals(3, 1, 1, 0, 1, 0, 3), d.totals());
    assertEquals(List.of(), d.unreadable());
    Dashboard.Task c = d.tasks().get(2);
    assertEquals("pytest crashed Next: fix it", c.why());
    Map<String, Dashboard.Figure> f = figures(d);
    // b needs a person (a conflict etask dropped); a was rebased cleanly
    assertEquals(
        "33 % (1 of 3 tasks need a person; 2 rebased by etask)",
        f.get(DashboardFigures.CONFLICT_RATE).value());
    assertFalse(f.get(DashboardFigures.CONFLICT_RATE).met());
    assertEquals("67 % (2 of 3 batches)", f.get(DashboardFigures.FIRST_TRY).value());
    assertFalse(f.get(DashboardFigures.FIRST_TRY).met());
    assertEquals("4m 10s (longest 10m 00s)", f.get(DashboardFigures.TASK_TIME).value());
    assertTrue(f.get(DashboardFigures.TASK_TIME).met());
    assertEquals(
        "+7.0 points (2 tasks that did not fail)", f.get(DashboardFigures.COVERAGE).value());
    assertNull(f.get(DashboardFigures.COVERAGE).met(), "a weekly trend is never marked met");
    assertNull(f.get(DashboardFigures.REVIEW).met());

    String page = DashboardPage.markdown(d);
    assertTrue(
        page.contains("3 task(s) from `here`: 1 ok, 1 partial, 0 risky, 1 failed · 3 commit(s)"),
        page);
    assertTrue(
        page.contains(
            "| `b` | partial | 2 | 1 | 10 passed | 40.0 → 44.0 % | needs-manual-review |"),
        page);
    assertTrue(page.contains("- **c** (failed): pytest crashed Next: fix it"), page);
    assertTrue(page.contains("x-axis [\"a\", \"b\"]"), page);
    assertTrue(page.contains("bar [60.0, 44.0]"), page);
    JsonNode json = Json.MAPPER.readTree(DashboardPage.json(d));
    assertEquals(3, json.get("totals").get("tasks").asInt());
    assertEquals("c", json.get("tasks").get(2).get("id").asText());
    assertEquals(1, json.get("tasks").get(2).get("exit_code").asInt());
  }

  @Test
  void aStatusFileThatCannotBeReadIsListedWithItsPathAndWhy() throws Exception {
    Files.createDirectories(dir.resolve("garbage"));
    Files.writeString(dir.resolve("garbage/status.json"), "{ not json");
    Path old =
        write(
            "old",
            status("old", 0, false, 1, null, null, List.of(), List.of(), 1, List.of(), null));
    ObjectNode v2 = (ObjectNode) Json.MAPPER.readTree(old.toFile());
    v2.put("schema_version", 2);
    Files.writeString(old, v2.toString());
    Path partial =
        write(
            "partial",
            status("p", 0, false, 1, null, null, List.of(), List.of(), 1, List.of(), null));
    ObjectNode cut = (ObjectNode) Json.MAPPER.readTree(partial.toFile());
    cut.remove("exit_code");
    cut.remove("batches");
    Files.writeString(partial, cut.toString());
    Path wrong =
        write(
            "wrong",
            status("w", 0, false, 1, null, null, List.of(), List.of(), 1, List.of(), null));
    ObjectNode typed = (ObjectNode) Json.MAPPER.readTree(wrong.toFile());
    typed.put("commits", "many");
    Files.writeString(wrong, typed.toString());
    write(
        "good", status("good", 0, false, 1, null, null, List.of(), List.of(), 1, List.of(), null));

    Dashboard d = Dashboard.of("here", Dashboard.statusFiles(dir), List.of());

    assertEquals(List.of("good"), d.tasks().stream().map(Dashboard.Task::id).toList());
    Map<String, String> why = new java.util.TreeMap<>();
    d.unreadable().forEach(u -> why.put(dir.relativize(Path.of(u.path())).toString(), u.reason()));
    assertEquals(4, why.size(), why.toString());
    assertTrue(why.get("garbage/status.json").startsWith("not JSON: "), why.toString());
    assertTrue(why.get("old/status.json").startsWith("schema version 2 (this etask reads 1)"));
    assertEquals("missing fields: batches, exit_code", why.get("partial/status.json"));
    assertTrue(
        why.get("wrong/status.json").startsWith("a field has the wrong type"), why.toString());
    assertEquals(4, d.totals().unreadable());
    String page = DashboardPage.markdown(d);
    assertTrue(page.contains("**4 unreadable status file(s)**"), page);
    assertTrue(
        page.contains(
            "- `" + dir.resolve("partial/status.json") + "`: missing fields: batches, exit_code"),
        page);
  }

  @Test
  void aTaskWithoutAStatusFileIsAFailedRowAndNothingMeasuredIsNeverAPass() throws Exception {
    Dashboard d =
        Dashboard.of(
            "launch",
            List.of(),
            List.of(
                new Dashboard.Missing("broken", dir.resolve("broken.yaml"), "invalid task spec")));
    assertEquals(1, d.totals().failed());
    assertEquals("invalid task spec", d.tasks().get(0).why());
    for (Dashboard.Figure f : d.figures()) {
      assertNull(f.met(), f.name() + " has nothing to measure: " + f.value());
      assertTrue(f.value().startsWith("not measured"), f.value());
    }
    assertFalse(DashboardPage.markdown(d).contains("mermaid"), "no chart of nothing");
  }

  @Test
  void theRequiredFieldsAreTheOnesEveryStatusFileHas() {
    List<String> required = StatusJson.requiredFields();
    assertTrue(required.contains("exit_code"));
    assertTrue(required.contains("batches"));
    assertFalse(required.contains("failure"), "optional: only a fatal task has one");
    assertFalse(required.contains("failure_pr_url"));
    assertFalse(required.contains("gates"));
  }

  private static Map<String, Dashboard.Figure> figures(Dashboard d) {
    Map<String, Dashboard.Figure> out = new java.util.HashMap<>();
    d.figures().forEach(f -> out.put(f.name(), f));
    return out;
  }
}
