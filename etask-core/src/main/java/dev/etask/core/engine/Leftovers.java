package dev.etask.core.engine;

import dev.etask.core.gates.TestQuality;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.process.ProcessTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a run killed halfway (kill -9, a crash, a lost machine) leaves behind, cleaned up when the
 * task opens again: the generator still running, temporary files of atomic writes, a target file
 * the mutation check had changed, a git lock file.
 */
final class Leftovers {
  private Leftovers() {}

  static void cleanUp(RunContext c) throws GitException {
    stopOrphan(c);
    sweepTemporaryFiles(c);
    for (String restored : TestQuality.restoreInterruptedMutation(c.ws())) {
      c.out()
          .warn(
              "put back "
                  + restored
                  + ", which the mutation check of an interrupted run had changed");
    }
    if (Files.isDirectory(c.ws().repo().resolve(".git"))) {
      try (GitRepo git = GitRepo.open(c.ws().repo())) {
        ChangeGuard.releaseStaleLocks(
            c, git, "an earlier, interrupted run (or a process it started)");
      }
    }
  }

  /**
   * A generator left running by a run that was killed (kill -9) must not write into the clone any
   * more.
   */
  private static void stopOrphan(RunContext c) {
    Path f = GeneratePhase.childFile(c);
    try {
      if (Files.exists(f)) {
        String[] lines = Files.readString(f, StandardCharsets.UTF_8).split("\n", 2);
        String[] parts = lines[0].trim().split(" ");
        String marker = lines.length > 1 ? lines[1].trim() : "";
        long pid = Long.parseLong(parts[0]);
        if (ProcessTrees.killOrphan(pid, Instant.ofEpochMilli(Long.parseLong(parts[1])), marker)) {
          c.out().warn("stopped generator process " + pid + " left running by an interrupted run");
        } else {
          c.out()
              .info(
                  "the generator of an interrupted run (pid "
                      + pid
                      + ") is no longer running: "
                      + ProcessHandle.of(pid)
                          .map(h -> h.isAlive() + " " + h.info())
                          .orElse("gone"));
        }
        Files.deleteIfExists(f);
      }
    } catch (IOException | RuntimeException e) {
      c.out().warn("could not check for a leftover generator process: " + e.getMessage());
    }
  }

  /**
   * Temporary files of atomic writes that a killed run left halfway (the real files are intact).
   */
  private static void sweepTemporaryFiles(RunContext c) {
    for (Path folder : List.of(c.ws().root(), c.ws().reports(), c.ws().artifacts())) {
      try (var files = Files.list(folder)) {
        for (Path p :
            files
                .filter(
                    x ->
                        x.getFileName().toString().startsWith(".")
                            && x.getFileName().toString().endsWith(".tmp"))
                .toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // a folder that does not exist yet has nothing to sweep
      }
    }
  }
}
