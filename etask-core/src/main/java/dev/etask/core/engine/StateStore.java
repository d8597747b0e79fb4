package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.json.Json;
import dev.etask.core.process.Redactor;
import dev.etask.core.report.StatusJson;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one owner of a task's run state and of the files etask writes about it: {@code state.json},
 * the gate reports (each checked against the SHA-256 recorded when it was written), {@code
 * status.json} and {@code pr.md}. Every write is redacted and atomic, and goes through one lock;
 * once the interrupt hook has written the final state, the store is frozen and later writes are
 * dropped, so the JVM never halts halfway through a file.
 */
final class StateStore {
  private final Workspace ws;
  private final Redactor redactor;
  private final Hints hints;
  private final RunState state;
  private boolean frozen;

  /**
   * The bytes of the reports this run wrote or checked, under their sums: {@link #keptReports}
   * hands them out before every generator without reading and hashing every report again.
   */
  private final Map<String, byte[]> known = new java.util.HashMap<>();

  private StateStore(Workspace ws, Redactor redactor, Hints hints, RunState state) {
    this.ws = ws;
    this.redactor = redactor;
    this.hints = hints;
    this.state = state;
  }

  /** Reads the task's state, or starts one; refuses a state written for another spec. */
  static StateStore open(
      Workspace ws, TaskSpec spec, Path specFile, Redactor redactor, Hints hints) {
    RunState state;
    try {
      state = RunState.readOrNull(ws.stateFile());
    } catch (IOException e) {
      throw new EtaskException(
          Code.STATE_UNREADABLE,
          "cannot read " + ws.stateFile() + ": " + e.getMessage(),
          hints.startOver(),
          e);
    }
    if (state != null && !spec.hash().equals(state.specHash())) {
      throw new EtaskException(
          Code.STATE_MISMATCH,
          "the task spec "
              + specFile
              + " changed since task '"
              + spec.id()
              + "' started (its state is in "
              + ws.stateFile()
              + "); etask does not mix two specs in one branch",
          hints.revertSpec());
    }
    if (state == null) {
      state = new RunState();
    }
    state.started(spec.id(), spec.hash(), spec.branch(), Instant.now().toString());
    state.startup(
        Math.max(
            0,
            System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()));
    return new StateStore(ws, redactor, hints, state);
  }

  RunState state() {
    return state;
  }

  synchronized void save() {
    if (frozen) {
      return;
    }
    try {
      writeJson(ws.stateFile(), state);
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot write " + ws.stateFile() + ": " + e.getMessage(),
          Hints.workDir(),
          e);
    }
  }

  /**
   * Writes a gate report under {@code name} and records its sum, and the sum of its coverage data
   * ({@code <name>.coverage}) when the gates left one.
   */
  synchronized void writeReport(String name, GateReport report) {
    if (frozen) {
      return;
    }
    Path file = reportFile(name);
    try {
      byte[] bytes = writeJson(file, report);
      String sum = sha256(bytes);
      state.sums().written(name, sum); // what the gates write is recorded in this clone
      known.put(sum, bytes);
      Path data = ws.reports().resolve(name + ".coverage");
      state
          .sums()
          .coverageWritten(
              name, Files.isRegularFile(data) ? sha256(Files.readAllBytes(data)) : null);
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED, "cannot write " + file + ": " + e.getMessage(), Hints.workDir(), e);
    }
  }

  /** Reads a gate report and checks it is byte for byte what etask wrote. */
  GateReport readReport(String name) {
    Path file = reportFile(name);
    try {
      byte[] bytes = Files.readAllBytes(file);
      String expected = state.sums().report(name);
      if (expected != null && !expected.equals(sha256(bytes))) {
        throw new EtaskException(
            Code.REPORT_TAMPERED,
            "the gate report "
                + file
                + " is not what etask wrote: something"
                + " changed it afterwards (a generator, or a person)",
            hints.reportsChanged(ws.reports()));
      }
      return Json.MAPPER.readValue(bytes, GateReport.class);
    } catch (IOException e) {
      throw new EtaskException(
          Code.STATE_UNREADABLE,
          "cannot read the gate report " + file + ": " + e.getMessage(),
          hints.startOver(),
          e);
    }
  }

  /**
   * Makes report {@code from} (and its coverage data) the state of the branch's tip, {@code
   * current}.
   */
  synchronized void promote(String from) {
    copy(from, "current");
  }

  /** Report {@code from} and its coverage data, also as report {@code to}. */
  synchronized void copy(String from, String to) {
    GateReport report = readReport(from);
    Path data = coverageData(from);
    Path current = ws.reports().resolve(to + ".coverage");
    try {
      if (data != null) {
        Files.copy(data, current, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(current);
      }
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED, "cannot write " + current + ": " + e.getMessage(), Hints.workDir(), e);
    }
    writeReport(to, report);
    if (data != null && state.sums().root(from) != null) {
      state.sums().recordedIn(to, state.sums().root(from));
    }
  }

  /** Report {@code name}'s coverage data was recorded in the clone at {@code root}. */
  synchronized void recordedIn(String name, String root) {
    if (!root.equals(ws.repo().toString())) {
      state.sums().recordedIn(name, root);
    }
  }

  /** The clone report {@code name}'s coverage data was recorded in (this one unless said). */
  synchronized String coverageRoot(String name) {
    String root = state.sums().root(name);
    return root == null ? ws.repo().toString() : root;
  }

  /**
   * The coverage data behind report {@code name}, checked to be what the gates wrote; null when
   * there is none.
   */
  Path coverageData(String name) {
    Path data = ws.reports().resolve(name + ".coverage");
    String expected = state.sums().coverage(name);
    if (expected == null || !Files.isRegularFile(data)) {
      return null;
    }
    try {
      if (!expected.equals(sha256(Files.readAllBytes(data)))) {
        throw new EtaskException(
            Code.REPORT_TAMPERED,
            "the coverage data "
                + data
                + " is not what the gates wrote: something changed it afterwards",
            hints.reportsChanged(ws.reports()));
      }
    } catch (IOException e) {
      return null;
    }
    return data;
  }

  boolean hasReport(String name) {
    return Files.isRegularFile(reportFile(name));
  }

  /**
   * The reports etask reads again, as it wrote them (their sums match): to put back after
   * tampering.
   */
  Map<Path, byte[]> keptReports() throws IOException {
    Map<Path, byte[]> kept = new LinkedHashMap<>();
    for (Map.Entry<String, String> r : state.sums().reports().entrySet()) {
      Path file = reportFile(r.getKey());
      if (!Files.isRegularFile(file)) {
        continue;
      }
      byte[] bytes = known.get(r.getValue());
      if (bytes == null) { // written by an earlier run: checked once
        bytes = Files.readAllBytes(file);
        if (sha256(bytes).equals(r.getValue())) {
          known.put(r.getValue(), bytes);
        } else {
          bytes = null;
        }
      }
      if (bytes != null) {
        kept.put(file, bytes);
      }
    }
    return kept;
  }

  /**
   * Writes {@code status.json} and, when there is one, the PR body. Without a fatal failure in the
   * state, a {@code FAILURE.md} and {@code trace.txt} of an earlier run are removed: this run's
   * outcome replaces them.
   */
  synchronized void writeOutputs(TaskSpec spec, Outcome o, String prBody) {
    if (frozen) {
      return;
    }
    try {
      writeJson(ws.statusFile(), StatusJson.model(spec, state, o));
      if (prBody != null) {
        AtomicFiles.write(ws.prBodyFile(), redactor.redact(prBody));
      }
      if (state.fatal() == null) {
        Files.deleteIfExists(ws.failureFile());
        Files.deleteIfExists(ws.traceFile());
      }
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot write " + ws.statusFile() + ": " + e.getMessage(),
          Hints.artifactsDir(),
          e);
    }
  }

  /** Runs the last writes of an interrupted run, then drops every later one. */
  synchronized void freezeAfter(Runnable lastWrites) {
    if (frozen) {
      return;
    }
    lastWrites.run();
    frozen = true;
  }

  /** The one way to write JSON etask keeps: every string value redacted, written atomically. */
  private byte[] writeJson(Path file, Object value) throws IOException {
    byte[] bytes = toJson(redactor, value);
    AtomicFiles.write(file, bytes);
    return bytes;
  }

  /** {@code value} as etask writes it: indented JSON, every secret replaced. */
  static byte[] toJson(Redactor redactor, Object value) throws IOException {
    return Json.MAPPER.writeValueAsBytes(redactor.redact(Json.MAPPER.valueToTree(value)));
  }

  private Path reportFile(String name) {
    return ws.reports().resolve(name + ".json");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
