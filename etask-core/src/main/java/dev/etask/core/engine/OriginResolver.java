package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.LocalOrigins;
import dev.etask.core.git.Origin;
import dev.etask.core.spec.EtaskException;
import dev.etask.core.spec.EtaskException.Code;
import dev.etask.core.spec.Hints;
import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.TaskLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the task's repository is: {@code repository.url} (a URL, an scp-like address, a
 * repository's path, or a plain folder, which becomes a local origin under {@code
 * <workDir>/origins/}), or, without one, the origin of the repository etask runs in. Credentials
 * are split off (see {@link Origin}).
 */
final class OriginResolver {
  private OriginResolver() {}

  static Origin resolve(RunContext c) {
    Engine.Config config = c.config();
    String url = c.spec().repository().url();
    if (url == null) {
      url = originOfRunDir(c);
    }
    if (url.contains("://") || url.matches("^[\\w.-]+@[\\w.-]+:.*")) {
      return Origin.parse(url);
    }
    Path local = c.spec().specDir().resolve(url).normalize();
    if (!Files.isDirectory(local)) {
      throw new EtaskException(
          Code.CLONE_FAILED,
          "repository.url '"
              + url
              + "' is "
              + local
              + (Files.exists(local)
                  ? ", which is a file, not a repository or a folder of one"
                  : ", which does not exist"),
          Hints.relativeUrl(c.spec().specDir()));
    }
    if (GitRepo.isRepository(local)) {
      return Origin.local(local.toString());
    }
    return localOrigin(c, local);
  }

  /** The origin URL of the repository etask runs in (its secrets known to the redactor). */
  private static String originOfRunDir(RunContext c) {
    Engine.Config config = c.config();
    String url;
    Path dir = config.runDir().toAbsolutePath();
    while (dir != null && !GitRepo.isRepository(dir)) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new EtaskException(
          Code.CLONE_FAILED,
          "repository.url is not set and " + config.runDir() + " is not inside a git repository",
          Hints.repositoryUrl(config.spec()));
    }
    try (GitRepo here = GitRepo.open(dir)) {
      url = here.originUrl();
      if (url != null) {
        Origin.parse(url).secrets().forEach(c.redactor()::add);
      }
    } catch (GitException e) {
      throw c.gitFailure(Code.CLONE_FAILED, e, Hints.repositoryUrl(config.spec()));
    }
    if (url == null) {
      throw new EtaskException(
          Code.CLONE_FAILED,
          "repository.url is not set and the repository at " + dir + " has no 'origin' remote",
          Hints.repositoryUrl(config.spec()));
    }
    return url;
  }

  /**
   * A plain folder as a local origin under {@code <workDir>/origins/<folder>-<hash of its
   * path>.git}, made from its files by the first task that needs it (under a lock: tasks running at
   * once may share it).
   */
  private static Origin localOrigin(RunContext c, Path local) {
    Engine.Config config = c.config();
    Path origins = config.workDir().toAbsolutePath().normalize().resolve("origins");
    String source = local.toAbsolutePath().normalize().toString();
    // named for the folder and where it is: two folders of one name never share an origin
    Path sandbox =
        origins.resolve(
            local.getFileName()
                + "-"
                + StateStore.sha256(source.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .substring(0, 8)
                + ".git");
    // tasks running at once may share this origin: one of them makes it, under a lock
    try (TaskLock originLock = lock(sandbox)) {
      if (!Files.exists(sandbox)) {
        LocalOrigins.create(local, sandbox, c.ident());
        AtomicFiles.write(sandbox.resolve(MADE_FROM), source + "\n");
        c.out()
            .info(
                local
                    + " is a plain folder: created the local origin "
                    + sandbox
                    + " from its files (the PR goes there)");
      }
    } catch (GitException | IOException e) {
      throw new EtaskException(
          Code.CLONE_FAILED,
          "cannot make a local origin from " + local + ": " + e.getMessage(),
          Hints.urlIsARepository(),
          e);
    }
    return Origin.local(sandbox.toString());
  }

  /** The file in a local origin naming the folder it was made from. */
  private static final String MADE_FROM = "etask-made-from";

  private static TaskLock lock(Path sandbox) throws IOException {
    Path lockFile = sandbox.resolveSibling(sandbox.getFileName() + ".lock");
    for (int i = 0; ; i++) {
      try {
        return TaskLock.acquire(lockFile, sandbox.getFileName().toString());
      } catch (TaskLock.LockedException e) {
        if (i >= 600) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
