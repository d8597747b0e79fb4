package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task's progress on disk ({@code state.json}), maven-release style: what is done, what is in
 * flight, what was pushed. Written atomically after every step so a killed run resumes.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RunState {
  public static final int SCHEMA_VERSION = 1;

  /** Why a task stopped for good. */
  public record Fatal(String code, String phase, String message, String nextStep) {}

  public int schemaVersion = SCHEMA_VERSION;
  public String taskId;
  public String specHash;
  public String branch;
  public String base;
  public String baseSha;
  public String origin;
  public boolean prepared;
  public boolean analyzed;
  public String startedAt;
  public String finishedAt;
  public int runs;
  public List<String> sourceDirs = new ArrayList<>();

  /**
   * The variables the project's test command sets (tox's set_env), as the base declares them: every
   * gate process gets them; null until the project is first inspected.
   */
  public Map<String, String> testEnvironment;

  /** The submodules the base declares that could not be fetched (their folders stay empty). */
  public List<String> submodulesMissing = new ArrayList<>();

  public List<String> testDirs = new ArrayList<>();
  public Map<String, String> toolVersions = new LinkedHashMap<>();

  /**
   * How the gates run on this repository (test runner, pytest configuration, lint rules), decided
   * in PREPARE.
   */
  public dev.etask.core.gates.GateSetup gates;

  public List<BatchState> batches = new ArrayList<>();
  public String lastPushedSha;

  /** etask commits found on the origin's branch when a fresh workspace adopted it. */
  public int adoptedCommits;

  /** The target files those adopted commits worked on: their batches are not redone. */
  public Set<String> adoptedTargets = new LinkedHashSet<>();

  public int generatorFailuresInARow;

  /** The PR provider PREPARE chose: github, local or none. */
  public String provider;

  public String prUrl;

  /** The PR's number once it exists (0 before): a resume updates it, never opens another. */
  public int prNumber;

  /** The labels etask set on the PR last time: those that no longer apply are removed. */
  public List<String> prLabels = new ArrayList<>();

  public String failurePrUrl;
  public Map<String, Long> phaseMillis = new LinkedHashMap<>();

  /** Per phase, the time outside child processes: what etask itself spent. */
  public Map<String, Long> phaseOwnMillis = new LinkedHashMap<>();

  /** From the JVM's start to the engine's: Maven and the JVM starting, in the latest run. */
  public long startupMillis;

  public List<String> conflicts = new ArrayList<>();
  public Set<String> taskLabels = new LinkedHashSet<>();
  public String aborted;
  public String limitHit;
  public Fatal fatal;

  /** Every commit etask made for this task (SHAs): ownership is by SHA, never by message. */
  public Set<String> ownCommits = new LinkedHashSet<>();

  /** Commits on the origin's task branch that etask did not make (how they are listed). */
  public List<String> foreignCommits = new ArrayList<>();

  /** Why etask pushes nothing now (the origin's branch holds someone else's commits), or null. */
  public String halted;

  /**
   * The origin's branch tips as etask last saw them: what a push from inside the clone is told by.
   */
  public Map<String, String> originTips = new LinkedHashMap<>();

  /** Set when something pushed to the origin from the task's clone; only etask:clean clears it. */
  public String tampered;

  /**
   * SHA-256 of each gate report as etask wrote it: a report that no longer matches is not trusted.
   */
  public Map<String, String> reportSums = new LinkedHashMap<>();

  /** SHA-256 of the coverage data behind a report ({@code <name>.coverage}), the same way. */
  public Map<String, String> coverageSums = new LinkedHashMap<>();

  /**
   * The clone a report's coverage data was recorded in, when not this one (a baseline from the
   * shared cache): its file names are moved to this clone by the first measurement that reads it.
   */
  public Map<String, String> coverageRoots = new LinkedHashMap<>();

  /**
   * The tip the whole suite last passed on: commits after it were validated incrementally and are
   * pushed only once the whole suite passed on the tip.
   */
  public String fullCheckedSha;

  /**
   * A tip, just rebased onto a moved base, the whole suite failed on: no batch is blamed for it
   * (the base may be the cause), so no later step of any run bisects it; a person decides.
   */
  public String rebasedTipFailed;

  /** The report of the last whole-suite measurement ({@code baseline}, {@code batch-3}, …). */
  public String fullReport;

  /**
   * The files the project's install wrote into the clone that git does not track (an editable
   * install's {@code *.egg-info}, an in-place {@code .so}, a generated version file), by path, with
   * the blob id of their content: they belong to etask, every other such file a batch or a test
   * makes is removed.
   */
  public Map<String, String> ownedFiles;

  /** Where the untrusted processes ran: {@code bubblewrap}, or {@code off} and why. */
  public String sandbox;

  /** Processes a generator or a gate process left running, stopped: {@code pid (command)}. */
  public List<String> survivors = new ArrayList<>();

  public static RunState read(Path file) throws IOException {
    return Json.MAPPER.readValue(file.toFile(), RunState.class);
  }

  public static RunState readOrNull(Path file) throws IOException {
    return Files.exists(file) ? read(file) : null;
  }

  public BatchState inFlight() {
    for (BatchState b : batches) {
      if (b.stage() == BatchState.Stage.GENERATED || b.stage() == BatchState.Stage.VALIDATED) {
        return b;
      }
    }
    return null;
  }

  public BatchState nextPending() {
    for (BatchState b : batches) {
      if (b.stage() == BatchState.Stage.PENDING) {
        return b;
      }
    }
    return null;
  }

  public long committedCount() {
    return batches.stream().filter(BatchState::committed).count();
  }

  public long doneCount() {
    return batches.stream().filter(BatchState::done).count();
  }

  /** Adds a phase's wall time and the part of it outside child processes (etask's own). */
  public void addPhaseTime(String phase, long millis, long ownMillis) {
    phaseMillis.merge(phase, millis, Long::sum);
    phaseOwnMillis.merge(phase, ownMillis, Long::sum);
  }

  /**
   * The whole suite passed on {@code sha}, measured in report {@code report}: the state later
   * batches are judged against, and the tip that may be pushed. Both change together.
   */
  public void verified(String report, String sha) {
    fullReport = report;
    fullCheckedSha = sha;
  }

  /**
   * Where the run's time went, phase by phase (the phases' own time, the generator's and the gates'
   * included), and the total.
   */
  public String timeSummary() {
    long total = phaseMillis.values().stream().mapToLong(Long::longValue).sum();
    return String.join(
            " · ",
            phaseMillis.entrySet().stream()
                .filter(e -> e.getValue() >= 50)
                .map(e -> e.getKey() + " " + seconds(e.getValue()))
                .toList())
        + (phaseMillis.isEmpty() ? "" : " · ")
        + "total "
        + seconds(total);
  }

  private static String seconds(long millis) {
    return millis >= 60_000
        ? (millis / 60_000) + " m " + (millis % 60_000) / 1000 + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }
}
