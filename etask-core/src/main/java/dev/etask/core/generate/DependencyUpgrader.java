package dev.etask.core.generate;

import dev.etask.core.process.ProcessRunner;
import dev.etask.core.state.BatchState;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.DependencyPins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The {@code dependency-upgrade} built-in generator: sets the batch's dependency pin to the version
 * planned for it in each of the batch's declaration files (their own text, nothing else touched; no
 * file through a link), then locks {@code uv.lock} again with uv when the batch holds it. The gates
 * then judge the upgrade in an environment built for it.
 */
public final class DependencyUpgrader implements Generator {
  /**
   * Locks the project's {@code lockFile} (uv.lock, poetry.lock) again, upgrading {@code name}; its
   * log in {@code log}.
   */
  public interface Relock {
    ProcessRunner.Result lock(String lockFile, String name, Path log, Duration timeout);
  }

  private final Supplier<BatchState.Upgrade> upgrade;
  private final Relock relock;

  /** {@code upgrade}: the upgrade of the batch being generated. */
  public DependencyUpgrader(Supplier<BatchState.Upgrade> upgrade, Relock relock) {
    this.upgrade = upgrade;
    this.relock = relock;
  }

  @Override
  public Outcome generate(Request r) {
    long t0 = System.nanoTime();
    BatchState.Upgrade u = upgrade.get();
    StringBuilder log = new StringBuilder();
    Outcome o;
    if (u == null) {
      log.append(
          "this batch upgrades no dependency: the dependency-upgrade generator needs"
              + " strategy.batch_mode: per_dependency\n");
      o = new Outcome(false, false, 1, log.toString(), since(t0));
    } else {
      o = upgrade(r, u, log, t0);
    }
    try {
      AtomicFiles.write(r.log(), log.toString());
    } catch (IOException e) {
      // the outcome carries the same text
    }
    return o;
  }

  private Outcome upgrade(Request r, BatchState.Upgrade u, StringBuilder log, long t0) {
    String key = DependencyPins.normalize(u.name());
    String lock = null;
    try {
      for (String file : r.files()) {
        if (file.equals("uv.lock") || file.equals("poetry.lock")) {
          DependencyPins.inside(r.repo(), file); // no link: the tool writes it where it is
          lock = file;
          continue;
        }
        Path path = DependencyPins.inside(r.repo(), file);
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String bumped = DependencyPins.bump(file, text, key, u.from(), u.to());
        log.append(file)
            .append(bumped.equals(text) ? ": no pin of " : ": ")
            .append(u.name())
            .append(bumped.equals(text) ? "==" + u.from() : " " + u.from() + " → " + u.to())
            .append('\n');
        if (!bumped.equals(text)) {
          Files.writeString(path, bumped, StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      log.append("cannot change the pin: ").append(e.getMessage()).append('\n');
      return new Outcome(false, false, 1, log.toString(), since(t0));
    }
    if (lock == null) {
      return new Outcome(true, false, 0, log.toString(), since(t0));
    }
    ProcessRunner.Result locked = relock.lock(lock, u.name(), r.log(), r.timeout());
    log.append(lock).append(" locked again:\n").append(locked.output());
    return new Outcome(
        locked.ok(), locked.timedOut(), locked.exitCode(), log.toString(), since(t0));
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }
}
