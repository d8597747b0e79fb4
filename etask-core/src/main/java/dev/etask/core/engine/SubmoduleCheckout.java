package dev.etask.core.engine;

import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Submodules;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/** PREPARE's step for a repository with submodules (see {@link Submodules}). */
final class SubmoduleCheckout {
  private SubmoduleCheckout() {}

  /**
   * Checks out the submodules the base declares, each at its gitlink's commit; names the ones that
   * cannot be fetched (their tests fail in the baseline too, and are reported so).
   */
  static void run(RunContext c, GitRepo git, ObjectId base, String origin) throws GitException {
    List<Submodules.Declared> declared =
        Submodules.of(git.repository(), git.resolve(base.name() + "^{tree}"));
    if (declared.isEmpty()) {
      return;
    }
    long t0 = System.nanoTime();
    List<String> done = new java.util.ArrayList<>();
    for (Submodules.Declared d : declared) {
      String failure = Submodules.checkOut(c.ws().repo(), d, origin);
      if (failure == null) {
        done.add(d.path());
      } else {
        c.state().env().submoduleMissing(d.path());
        c.out()
            .warn(
                "submodule "
                    + d.path()
                    + (d.url() == null
                        ? ""
                        : " (" + c.redactor().redact(Submodules.shown(d.url())) + ")")
                    + " cannot be fetched: "
                    + c.redactor().redact(failure)
                    + "; its folder stays empty, and the tests that need it fail in the baseline"
                    + " too");
      }
    }
    if (!done.isEmpty()) {
      c.out()
          .info(
              "checked out "
                  + done.size()
                  + " submodule(s) ("
                  + String.join(", ", done)
                  + ") in "
                  + RunContext.secs(t0)
                  + "; a batch never changes their files");
    }
    c.staging().submodulesChanged();
  }
}
