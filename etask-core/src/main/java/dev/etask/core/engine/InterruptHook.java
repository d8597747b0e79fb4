package dev.etask.core.engine;

import java.time.Instant;

/**
 * SIGTERM or Ctrl-C: the children are stopped, the run is recorded as interrupted, state and a
 * partial status.json are written, and the store is frozen (the JVM halts after this hook: no write
 * may be caught halfway). The batch in progress stays pending; the next run resumes.
 */
final class InterruptHook {
  private InterruptHook() {}

  static void stop(RunContext c) {
    c.interrupt();
    c.runner().killAll();
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        c.store()
            .freezeAfter(
                () -> {
                  c.state().interrupted(Instant.now().toString());
                  c.store().save();
                  StatusFiles.write(c, StatusFiles.outcome(c));
                });
        c.out()
            .warn(
                "interrupted: state saved to "
                    + c.ws().stateFile()
                    + "; run the task again to resume");
        return;
      } catch (RuntimeException e) {
        // the main thread was changing the state; try again
      }
    }
  }
}
