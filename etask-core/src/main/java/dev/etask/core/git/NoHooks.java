package dev.etask.core.git;

import java.io.File;
import java.io.OutputStream;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.FS_POSIX;
import org.eclipse.jgit.util.ProcessResult;

/**
 * JGit's file system with git hooks switched off. {@code setNoVerify} skips only pre-commit and
 * commit-msg; JGit would still run post-commit (and others) from the clone's {@code .git/hooks},
 * where a generator could have put one, with etask's whole environment. Through this, no hook ever
 * runs.
 */
final class NoHooks extends FS_POSIX {
  private NoHooks(FS from) {
    super(from);
  }

  /**
   * The file system for etask's clones: POSIX without hooks; elsewhere JGit's own (hooks are
   * emptied anyway).
   */
  static FS fs() {
    return FS.DETECTED instanceof FS_POSIX ? new NoHooks(FS.DETECTED) : FS.DETECTED;
  }

  /** A new repository in {@code dir} (bare or with a working tree) on branch main, hooks off. */
  static Git init(Path dir, boolean bare) throws GitAPIException {
    return Git.init()
        .setBare(bare)
        .setFs(fs())
        .setInitialBranch("main")
        .setDirectory(dir.toFile())
        .call();
  }

  @Override
  public FS newInstance() {
    return new NoHooks(this);
  }

  @Override
  public File findHook(Repository repository, String hookName) {
    return null;
  }

  @Override
  public ProcessResult runHookIfPresent(
      Repository repository,
      String hookName,
      String[] args,
      OutputStream out,
      OutputStream err,
      String stdinArgs)
      throws JGitInternalException {
    return new ProcessResult(ProcessResult.Status.NOT_PRESENT);
  }
}
