package dev.etask.core.engine;

/**
 * One phase of a task (docs/ARCHITECTURE.md §2), in the manner of maven-release's phases: {@link
 * #execute} does the work; {@link #simulate} is what a dry run calls, computing and showing
 * everything but never pushing or opening a PR (phases without such effects simulate by executing).
 * A {@link PhaseRunner} runs it.
 */
interface Phase {
  /** The name in logs, state.json's timings and FAILURE.md: prepare, analyze, … */
  String name();

  void execute(RunContext c);

  default void simulate(RunContext c) {
    execute(c);
  }
}
