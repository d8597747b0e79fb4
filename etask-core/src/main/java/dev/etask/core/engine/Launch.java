package dev.etask.core.engine;

import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.spec.SpecException;
import dev.etask.core.spec.SpecLoader;
import dev.etask.core.state.Outcome;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Many tasks in one JVM (docs/ARCHITECTURE.md §9b, {@code etask:launch}): each spec is an {@link
 * Engine} of its own (its workspace, state, lock, child processes and secrets), {@code parallel} at
 * a time. A task that fails, or whose spec is invalid, is one result among the others: it never
 * stops them.
 */
public final class Launch {
  /** One task's end: {@code exitCode} 0, 1 or 2 as {@code etask:run}'s; {@code status} or null. */
  public record Result(Path spec, String id, int exitCode, String summary, Path status) {}

  private Launch() {}

  /**
   * The specs {@code tasks} names, sorted: a folder's {@code *.yaml} and {@code *.yml} files, or
   * the files a glob (relative to {@code runDir}, e.g. {@code tasks/nightly-*.yaml}) matches.
   */
  public static List<Path> specs(Path runDir, String tasks) {
    if (tasks == null || tasks.isBlank()) {
      throw new EtaskException(Code.SPEC_INVALID, "no tasks given", Hints.tasksParameter());
    }
    Path pattern = runDir.toAbsolutePath().resolve(tasks).normalize();
    List<Path> out = new ArrayList<>();
    try {
      if (Files.isDirectory(pattern)) {
        try (Stream<Path> files = Files.list(pattern)) {
          files
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .filter(Files::isRegularFile)
              .forEach(out::add);
        }
      } else {
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        Path base = pattern.getRoot();
        int depth = 0;
        boolean fixed = true;
        for (Path part : pattern) {
          if (fixed && !part.toString().matches(".*[*?\\[{].*")) {
            base = base.resolve(part);
          } else {
            fixed = false;
            depth++;
          }
        }
        if (Files.isDirectory(base)) {
          // only as deep as the glob reaches, unless it says ** (a work folder holds venvs)
          int max = pattern.toString().contains("**") ? Integer.MAX_VALUE : depth;
          try (Stream<Path> files = Files.walk(base, max)) {
            files.filter(Files::isRegularFile).filter(glob::matches).forEach(out::add);
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new EtaskException(
          Code.IO_FAILED, "cannot list " + tasks + ": " + e.getMessage(), Hints.tasksFolder());
    }
    if (out.isEmpty()) {
      throw new EtaskException(
          Code.SPEC_INVALID,
          "no task specs in " + tasks + " (looked for *.yaml and *.yml)",
          Hints.tasksMatchNone());
    }
    out.sort(null);
    return out;
  }

  /**
   * Runs every config, {@code parallel} at a time, each reporting to {@code listeners.apply(spec
   * file name)}; returns the results in the order of {@code configs}.
   */
  public static List<Result> run(
      List<Engine.Config> configs, int parallel, Function<String, Listener> listeners) {
    return run(configs, parallel, listeners, Engine::open);
  }

  /** How a task's engine is opened (tests open theirs with fakes outside the JVM). */
  interface Opener {
    Engine open(Engine.Config config, Listener listener);
  }

  static List<Result> run(
      List<Engine.Config> configs,
      int parallel,
      Function<String, Listener> listeners,
      Opener opener) {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(parallel, configs.size())),
            r -> {
              Thread t = new Thread(r, "etask-task");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<Result>> futures = new ArrayList<>();
      java.util.Map<String, Path> ids = new java.util.HashMap<>();
      for (Engine.Config config : configs) {
        String id = idOf(config.spec());
        Path first = id == null ? null : ids.putIfAbsent(id, config.spec());
        if (first != null) {
          // two runs of one task at once would share its workspace and lock: this one waits
          String why = "the id '" + id + "' is also the id of " + first + ": not run";
          listeners.apply(name(config)).warn(why);
          futures.add(
              java.util.concurrent.CompletableFuture.completedFuture(
                  new Result(config.spec(), id, 1, why, null)));
          continue;
        }
        futures.add(pool.submit(() -> one(config, listeners, opener)));
      }
      List<Result> out = new ArrayList<>();
      for (Future<Result> f : futures) {
        try {
          out.add(f.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new EtaskException(Code.IO_FAILED, "interrupted", Hints.runAgainResumes());
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e.getCause());
        }
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The spec's id, or null when it does not load (its run says why). */
  private static String idOf(Path spec) {
    try {
      return SpecLoader.load(spec).id();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String name(Engine.Config config) {
    return config.spec().getFileName().toString().replaceFirst("\\.ya?ml$", "");
  }

  private static Result one(
      Engine.Config config, Function<String, Listener> listeners, Opener opener) {
    String name = name(config);
    Listener out = listeners.apply(name);
    Engine engine;
    try {
      engine = opener.open(config, out);
    } catch (SpecException e) {
      out.warn("invalid task spec:\n" + e.getMessage());
      return new Result(config.spec(), name, 1, "invalid task spec", null);
    } catch (EtaskException e) {
      out.warn(e.getMessage() + " [" + e.code() + "]");
      return new Result(config.spec(), name, 1, e.getMessage(), null);
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      out.warn("unexpected error (a bug in etask): " + e);
      return new Result(config.spec(), name, 1, "unexpected error: " + e, null);
    }
    try (engine) {
      Path status = engine.workspace().statusFile();
      String id = engine.spec().id();
      try {
        Outcome o = engine.run();
        return new Result(config.spec(), id, o.exitCode(), o.summary(), status);
      } catch (EtaskException e) {
        out.warn(
            e.getMessage()
                + " ["
                + e.code()
                + "]"
                + (e.nextStep() == null ? "" : "; next: " + e.nextStep()));
        return new Result(config.spec(), id, 1, e.getMessage(), status);
      } catch (RuntimeException | StackOverflowError | LinkageError e) {
        out.warn("unexpected error (a bug in etask; see the task's trace.txt): " + e);
        return new Result(config.spec(), id, 1, "unexpected error: " + e, status);
      }
    }
  }
}
