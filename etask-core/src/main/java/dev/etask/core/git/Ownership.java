package dev.etask.core.git;

import java.util.Set;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Which commits are etask's (docs/ARCHITECTURE.md §6). A commit is etask's only when etask recorded
 * its SHA when it made it. On a fresh machine, where nothing is recorded yet, a commit counts as
 * etask's when it carries the task's trailer and both its author and its committer are etask's
 * identity: a person's amend or rebase keeps the trailer but changes the committer. Anything else
 * is someone else's, whatever its message says.
 */
public final class Ownership {
  private final String taskId;
  private final Set<String> recorded;
  private final PersonIdent etask;

  /** {@code recorded}: the SHAs etask made for this task; empty on a fresh machine. */
  public Ownership(String taskId, Set<String> recorded, PersonIdent etask) {
    this.taskId = taskId;
    this.recorded = Set.copyOf(recorded);
    this.etask = etask;
  }

  public boolean isOurs(RevCommit c) {
    if (recorded.contains(c.name())) {
      return true;
    }
    return recorded.isEmpty()
        && GitRepo.isTaskCommit(c, taskId)
        && same(c.getAuthorIdent(), etask)
        && same(c.getCommitterIdent(), etask);
  }

  private static boolean same(PersonIdent a, PersonIdent b) {
    return a != null
        && a.getName().equals(b.getName())
        && a.getEmailAddress().equalsIgnoreCase(b.getEmailAddress());
  }

  /** {@code 1a2b3c4 "subject" (author, committed by committer)}: how a foreign commit is listed. */
  public static String describe(RevCommit c) {
    PersonIdent a = c.getAuthorIdent();
    PersonIdent k = c.getCommitterIdent();
    String who = a.getName() + " <" + a.getEmailAddress() + ">";
    if (!a.getName().equals(k.getName()) || !a.getEmailAddress().equals(k.getEmailAddress())) {
      who += ", committed by " + k.getName() + " <" + k.getEmailAddress() + ">";
    }
    return c.abbreviate(7).name() + " \"" + c.getShortMessage() + "\" (" + who + ")";
  }
}
