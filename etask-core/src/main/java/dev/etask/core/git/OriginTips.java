package dev.etask.core.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

/** The origin's branch tips before a fetch, and the ones something in the clone pushed. */
final class OriginTips {
  private OriginTips() {}

  /** The origin's branch tips as the clone last fetched them ({@code known}, else its own). */
  static Map<String, ObjectId> before(Repository repo, Map<String, String> known)
      throws IOException {
    Map<String, ObjectId> before = new LinkedHashMap<>();
    if (known.isEmpty()) {
      for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_REMOTES + "origin/")) {
        if (r.getObjectId() != null) {
          before.put(
              Constants.R_HEADS + r.getName().substring((Constants.R_REMOTES + "origin/").length()),
              r.getObjectId());
        }
      }
    } else {
      known.forEach((k, v) -> before.put(k, ObjectId.fromString(v)));
    }
    return before;
  }

  /**
   * The origin's branches that moved to a commit this clone has but never fetched and etask did not
   * make: pushed from here by something else (a generator). Their tips go into {@code tips}.
   */
  static List<String> pushedFromHere(
      Repository repo,
      Collection<Ref> remote,
      Map<String, ObjectId> before,
      Predicate<ObjectId> etaskMade,
      Map<String, String> tips)
      throws IOException {
    List<String> pushedFromHere = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      for (Ref r : remote) {
        ObjectId now = r.getObjectId();
        if (now != null) {
          tips.put(r.getName(), now.name());
        }
        if (now == null
            || now.equals(before.get(r.getName()))
            || etaskMade.test(now)
            || !repo.getObjectDatabase().has(now)) {
          continue;
        }
        RevCommit candidate = walk.parseCommit(now);
        boolean fetchedBefore = false;
        for (ObjectId k : before.values()) {
          if (repo.getObjectDatabase().has(k)
              && walk.isMergedInto(candidate, walk.parseCommit(k))) {
            fetchedBefore = true;
            break;
          }
        }
        if (!fetchedBefore) {
          pushedFromHere.add(r.getName() + " → " + now.abbreviate(7).name());
        }
      }
    }
    return pushedFromHere;
  }
}
