package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.process.Environments;
import dev.etask.core.process.Redactor;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.workspace.TaskLock;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.time.Instant;

/**
 * Opening a task: the spec loaded, its secrets registered, the workspace and the task's lock taken,
 * the state read (refused when written for another spec), what an earlier run left cleaned up.
 */
final class EngineOpening {
  private EngineOpening() {}

  /**
   * The keys of generator.llm and pr.semantic_review, known missing before anything is cloned or
   * built.
   */
  private static void requireLlmKey(Engine.Config config, TaskSpec spec) {
    requireKey(config, spec.generator().llm(), "generator.llm");
    requireKey(config, spec.pr().semanticReview(), "pr.semantic_review");
  }

  private static void requireKey(Engine.Config config, TaskSpec.Llm llm, String key) {
    if (llm != null && config.environment().getOrDefault(llm.apiKeyEnv(), "").isBlank()) {
      throw new EtaskException(
          Code.TOKEN_MISSING,
          key
              + " needs its API key in the environment variable "
              + llm.apiKeyEnv()
              + ", which is not set",
          Hints.llmKey(llm.apiKeyEnv()));
    }
  }

  static Engine open(Engine.Config config, Listener listener, Tools tools, SpareThreads spare) {
    TaskSpec spec = SpecLoader.load(config.spec());
    requireLlmKey(config, spec);
    Workspace ws = Workspace.of(config.workDir(), config.artifactsDir(), spec.id());
    Redactor redactor = TaskSecrets.of(config, spec, ws);
    Listener out = Listener.redacting(listener, redactor);
    Hints hints = RunContext.hints(config);
    TaskLock lock;
    try {
      ws.createFolders();
      lock = TaskLock.acquire(ws.lockFile(), spec.id());
    } catch (TaskLock.LockedException e) {
      throw new EtaskException(Code.TASK_LOCKED, e.getMessage(), Hints.waitFor("the other run"));
    } catch (IOException e) {
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot create the workspace " + ws.root() + ": " + e.getMessage(),
          Hints.workDir(),
          e);
    }
    StateStore store;
    try {
      store = StateStore.open(ws, spec, config.spec(), redactor, hints);
    } catch (RuntimeException e) {
      Engine.closeQuietly(lock);
      throw e;
    }
    RunContext c =
        new RunContext(
            config,
            spec,
            ws,
            out,
            redactor,
            new Environments(config.environment(), ws.home()).neverPass(config.servers().values()),
            store,
            new Budget(spec.limits(), Instant.now()),
            tools,
            spare);
    Engine engine = new Engine(c, lock);
    try {
      Leftovers.cleanUp(c);
    } catch (GitException | RuntimeException e) {
      engine.close();
      if (e instanceof EtaskException x) {
        throw x;
      }
      throw new EtaskException(
          Code.IO_FAILED,
          "cannot open the workspace " + ws.root() + ": " + e.getMessage(),
          hints.cleanAndRetry(),
          e);
    }
    engine.hookInterrupts();
    return engine;
  }
}
