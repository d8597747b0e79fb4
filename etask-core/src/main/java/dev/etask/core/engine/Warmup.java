package dev.etask.core.engine;

import dev.etask.core.gates.Coverage;
import dev.etask.core.gates.Finding;
import dev.etask.core.gates.GateReport;
import dev.etask.core.gates.GateSetup;
import dev.etask.core.gates.Reports;
import dev.etask.core.gates.TestResults;
import dev.etask.core.git.Rehearsal;
import dev.etask.core.json.Json;
import dev.etask.core.process.Redactor;
import dev.etask.core.report.StatusDocument;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.Project;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Code a task is about to need, loaded and run once on a spare thread while the task does other
 * work. A JVM loads, verifies and links a class on its first use; for JGit, Jackson and the XML
 * parser that is over a second of a task's own time when it happens on the task's path.
 */
final class Warmup {
  /**
   * Once per JVM (the tasks {@code etask:launch} runs side by side share the loaded code); a
   * warm-up stopped by the end of its run is tried again by the next run.
   */
  private static final AtomicBoolean GIT = new AtomicBoolean();

  private static final AtomicBoolean JSON = new AtomicBoolean();
  private static final AtomicBoolean REHEARSAL = new AtomicBoolean();

  private Warmup() {}

  /** At the start of a run: {@link #git} and {@link #json}, side by side. */
  static void start(SpareThreads spare) {
    once(GIT, spare, Warmup::git);
    once(JSON, spare, Warmup::json);
  }

  /** At prepare: {@link #rehearse}. */
  static void startRehearsal(SpareThreads spare) {
    if (!REHEARSAL.get()) {
      Rehearsal.settleClasses(); // on this thread, before another one uses JGit's file system
    }
    once(REHEARSAL, spare, Warmup::rehearse);
  }

  private static void once(AtomicBoolean done, SpareThreads spare, Supplier<Boolean> work) {
    if (done.compareAndSet(false, true)) {
      spare.run(
          () -> {
            if (!work.get()) {
              done.set(false);
            }
            return null;
          });
    }
  }

  /**
   * While the spec is read: JGit's first classes (its jar is signed, so the first one costs a check
   * of the signature) and messages. True when done.
   */
  static boolean git() {
    org.eclipse.jgit.internal.JGitText.get();
    return true;
  }

  /**
   * Beside {@link #git}: the JSON types of the state and reports, and Jackson's code for a report
   * the size of a real project's, written and read back as the task will, a few times (compiled by
   * then, not interpreted on the task's path). True when all of it ran; it stops when its thread is
   * interrupted (the run ended).
   */
  static boolean json() {
    Json.warm(
        RunState.class, GateReport.class, Project.class, GateSetup.class, StatusDocument.class);
    GateReport report = sampleReport();
    try {
      for (int i = 0; i < 5; i++) {
        if (Thread.currentThread().isInterrupted()) {
          return false;
        }
        GateReport back =
            Json.MAPPER.readValue(StateStore.toJson(Redactor.none(), report), GateReport.class);
        StateStore.toJson(Redactor.none(), new RunState());
        if (!back.equals(report)) {
          return false;
        }
      }
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      return false; // the task's own first write says what is wrong
    }
  }

  /** 600 tests, 40 measured files, a few findings. */
  static GateReport sampleReport() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      ids.add("tests.test_module_" + i / 20 + "::test_case_" + i);
    }
    Map<String, Coverage.FileCoverage> files = new TreeMap<>();
    for (int f = 0; f < 40; f++) {
      List<Integer> executed = new ArrayList<>();
      List<Integer> missing = new ArrayList<>();
      for (int line = 1; line < 120; line++) {
        (line % 7 == 0 ? missing : executed).add(line);
      }
      files.put("src/package/module_" + f + ".py", new Coverage.FileCoverage(executed, missing));
    }
    List<Finding> findings =
        List.of(
            new Finding("src/package/module_1.py", 12, "F401", "an import is unused"),
            new Finding("src/package/module_2.py", 30, "arg-type", "an argument has a wrong type"));
    return new GateReport(
        new TestResults(600, 0, 0, 12, List.of(), "", ids),
        new Coverage(85.7, files),
        findings,
        findings,
        List.of(),
        Map.of("tests", 1000L, "lint", 100L));
  }

  /**
   * While prepare clones and builds the environment: the git work of a batch and of delivery, on a
   * throwaway repository in a new folder of the system's temporary folder (see {@link Rehearsal};
   * never in the workspace, whose files the change guard seals), and a first XML report. True when
   * all of it ran.
   */
  static boolean rehearse() {
    boolean rehearsed = Rehearsal.run(Path.of(System.getProperty("java.io.tmpdir")));
    Reports.warm();
    return rehearsed;
  }
}
