package dev.etask.core.report;

import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes {@code status.json}: the seed's §8 fields and everything a dashboard or a person needs. */
public final class StatusJson {
  public static final int SCHEMA_VERSION = 1;

  private StatusJson() {}

  public static Map<String, Object> model(TaskSpec spec, RunState state, Outcome outcome) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Double> t = outcome.totals();
    m.put("schema_version", SCHEMA_VERSION);
    m.put("id", spec.id());
    m.put("branch", spec.branch());
    m.put("base", state.base);
    m.put("base_sha", state.baseSha);
    m.put("repository", state.origin);
    m.put("objective", spec.objective());
    m.put("commits", outcome.commits());
    m.put("tests_passed", integer(t.get("tests_passed")));
    m.put("tests_failed", integer(t.get("tests_failed")));
    m.put("tests_errors", integer(t.get("tests_errors")));
    m.put("coverage_before", t.get("coverage_before"));
    m.put("coverage_after", t.get("coverage_after"));
    m.put("coverage_delta", t.get("coverage_delta"));
    m.put("lint_errors", integer(t.get("lint_errors")));
    m.put("type_errors", integer(t.get("type_errors")));
    m.put("risk_labels", outcome.riskLabels());
    m.put("labels", outcome.labels());
    m.put("risk_level", outcome.riskLevel());
    m.put("partial", outcome.partial());
    m.put("partial_ratio", outcome.partialRatio());
    m.put("exit_code", outcome.exitCode());
    m.put("summary", outcome.summary());
    m.put("pr_url", state.prUrl);
    if (state.failurePrUrl != null) {
      m.put("failure_pr_url", state.failurePrUrl);
    }
    m.put("started_at", state.startedAt);
    m.put("finished_at", state.finishedAt);
    m.put("tool_versions", state.toolVersions);
    if (state.gates != null) {
      Map<String, Object> g = new LinkedHashMap<>();
      g.put("test_runner", state.gates.runner().display());
      g.put("test_args", state.gates.runnerArgs());
      g.put("pytest_config", state.gates.pytestConfig());
      g.put("lint_select", state.gates.lintSelect());
      m.put("gates", g);
    }
    m.put("phases_ms", state.phaseMillis);
    m.put("conflicts", state.conflicts);
    m.put("aborted", state.aborted);
    m.put("limit_hit", state.limitHit);
    if (state.fatal != null) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("code", state.fatal.code());
      f.put("phase", state.fatal.phase());
      f.put("message", state.fatal.message());
      f.put("next_step", state.fatal.nextStep());
      m.put("failure", f);
    }
    List<Map<String, Object>> batches = new ArrayList<>();
    for (BatchState b : state.batches) {
      Map<String, Object> bm = new LinkedHashMap<>();
      bm.put("index", b.index);
      bm.put("files", b.files);
      bm.put("stage", b.stage.name().toLowerCase(java.util.Locale.ROOT));
      bm.put("attempts", b.attempts);
      bm.put("decision", b.verdict == null ? null : b.verdict.toLowerCase(java.util.Locale.ROOT));
      bm.put("reason", b.reason);
      bm.put("labels", b.labels);
      bm.put("metrics", b.metrics);
      bm.put("changed_files", b.changedFiles);
      bm.put("new_findings", b.newFindings);
      bm.put("first_try_pass", b.firstTryPass);
      bm.put("commit", b.commit);
      bm.put("duration_ms", b.durationMs);
      batches.add(bm);
    }
    m.put("batches", batches);
    return m;
  }

  public static void write(Path file, TaskSpec spec, RunState state, Outcome outcome) throws IOException {
    AtomicFiles.write(file, RunState.JSON.writeValueAsBytes(model(spec, state, outcome)));
  }

  private static Integer integer(Double v) {
    return v == null ? null : v.intValue();
  }
}
