package dev.etask.core.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threads a run gives to work that only makes a later step faster (warming a cache while git or
 * Python work); that step does the work itself when it has to. Stopped with the run.
 */
final class SpareThreads implements AutoCloseable {
  private final ExecutorService pool =
      Executors.newCachedThreadPool(
          work -> {
            Thread t = new Thread(work, "etask-spare");
            t.setDaemon(true);
            return t;
          });

  <T> CompletableFuture<T> run(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, pool);
  }

  /** Stops the spare threads' work, waiting a little for what runs to end. */
  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
