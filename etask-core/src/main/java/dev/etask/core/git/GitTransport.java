package dev.etask.core.git;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefLeaseSpec;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;

/**
 * Everything that talks to the origin: clone, fetch (with the check for pushes made from inside the
 * clone), asking for branches, push with a lease. The credentials come from the {@link Origin} in
 * memory for each call; the clone itself has no remote. Network errors (connection refused or
 * reset, timeouts, 5xx) are retried by the {@link Retry} given.
 */
public final class GitTransport {
  private static final int TIMEOUT_SECONDS = 120;

  private final GitRepo repo_;
  private final Git git;
  private final Origin origin;
  private final Retry retry;

  public GitTransport(GitRepo repo, Origin origin, Retry retry) {
    this.repo_ = repo;
    this.git = repo.git();
    this.origin = origin;
    this.retry = retry;
  }

  /**
   * Clones {@code origin} into {@code dir} (which must not exist yet; a half-made one is removed
   * before each try), then removes the clone's remote: nothing inside the clone knows where the
   * origin is or how to log in to it, so a generator cannot push, and no credential is ever written
   * to {@code .git/config}.
   */
  public static GitRepo cloneInto(Origin origin, java.nio.file.Path dir, Retry retry)
      throws GitException {
    return cloneInto(origin, dir, retry, true);
  }

  /**
   * The same; {@code shareObjects} false copies a local origin's objects instead of linking them
   * (without a sandbox, a test could write through a link into the origin's object files).
   */
  public static GitRepo cloneInto(
      Origin origin, java.nio.file.Path dir, Retry retry, boolean shareObjects)
      throws GitException {
    return retry.call(
        "clone",
        () -> {
          try {
            dev.etask.core.workspace.FileTrees.delete(dir);
          } catch (IOException e) {
            throw new GitException("cannot clear " + dir + ": " + e.getMessage(), false, e);
          }
          return cloneFrom(origin, dir, shareObjects);
        });
  }

  /**
   * What a fetch saw: the origin's branch tips ({@code refs/heads/x} → SHA), and the branches
   * someone moved to a commit made in this clone but not by etask, as {@code refs/heads/main →
   * 1a2b3c4}.
   */
  public record Fetched(Map<String, String> tips, List<String> pushedFromHere) {}

  /**
   * Fetches every branch of the origin into {@code refs/remotes/origin/*} and names the branches
   * that someone moved to a commit made in this clone but not by etask ({@code etaskMade} says
   * which commits etask made): nobody but a process running inside the clone could have pushed
   * those. {@code known} are the tips etask saw last (kept outside the clone, so nothing in it can
   * hide a push); empty means the clone's own remote-tracking branches.
   */
  public Fetched fetch(Map<String, String> known, Predicate<ObjectId> etaskMade)
      throws GitException {
    return retry.call("fetch", () -> fetchOnce(known, etaskMade));
  }

  private Fetched fetchOnce(Map<String, String> known, Predicate<ObjectId> etaskMade)
      throws GitException {
    Repository repo = git.getRepository();
    Map<String, String> tips = new java.util.TreeMap<>();
    try {
      Collection<Ref> remote =
          git.lsRemote()
              .setRemote(origin.url())
              .setHeads(true)
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .call();
      Map<String, ObjectId> before = OriginTips.before(repo, known);
      List<String> pushedFromHere =
          OriginTips.pushedFromHere(repo, remote, before, etaskMade, tips);
      org.eclipse.jgit.transport.FetchResult fetched =
          git.fetch()
              .setRemote(origin.url())
              .setRefSpecs(
                  new RefSpec("+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + "origin/*"))
              .setRemoveDeletedRefs(true)
              .setTagOpt(TagOpt.FETCH_TAGS)
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .call();
      // the tips as fetched, not as listed a moment before: a branch pushed in between is known
      // from here on, never taken later for one pushed from the clone
      Map<String, String> asFetched = new java.util.TreeMap<>();
      for (Ref r : fetched.getAdvertisedRefs()) {
        if (r.getName().startsWith(Constants.R_HEADS) && r.getObjectId() != null) {
          asFetched.put(r.getName(), r.getObjectId().name());
        }
      }
      return new Fetched(asFetched.isEmpty() ? tips : asFetched, pushedFromHere);
    } catch (GitAPIException e) {
      throw wrap("cannot fetch from " + origin.url(), e);
    } catch (IOException e) {
      throw new GitException(
          "cannot compare the origin's branches with the clone: " + e.getMessage(), false, e);
    }
  }

  /** Fetches every branch of the origin, checking nothing (see {@link #fetch(Map, Predicate)}). */
  public void fetch() throws GitException {
    fetch(Map.of(), id -> true);
  }

  /** The origin's default branch (what its HEAD points at), or null when it cannot be told. */
  public String remoteDefaultBranch() throws GitException {
    return retry.call("ask the origin for its default branch", this::defaultBranchOnce);
  }

  private String defaultBranchOnce() throws GitException {
    try {
      Collection<Ref> refs =
          git.lsRemote()
              .setRemote(origin.url())
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .call();
      Ref head = null;
      for (Ref r : refs) {
        if (r.getName().equals(Constants.HEAD)) {
          head = r;
        }
      }
      if (head == null) {
        return null;
      }
      if (head.isSymbolic()) {
        return Repository.shortenRefName(head.getTarget().getName());
      }
      for (String preferred : List.of("main", "master")) {
        for (Ref r : refs) {
          if (r.getName().equals(Constants.R_HEADS + preferred)
              && r.getObjectId().equals(head.getObjectId())) {
            return preferred;
          }
        }
      }
      for (Ref r : refs) {
        if (r.getName().startsWith(Constants.R_HEADS)
            && r.getObjectId().equals(head.getObjectId())) {
          return Repository.shortenRefName(r.getName());
        }
      }
      return null;
    } catch (GitAPIException e) {
      throw wrap("cannot list the origin's branches", e);
    }
  }

  /**
   * The commit the origin's {@code branch} holds right now (asks the origin), or null when absent.
   */
  public ObjectId remoteHead(String branch) throws GitException {
    return retry.call("ask the origin for " + branch, () -> remoteHeadOnce(branch));
  }

  private ObjectId remoteHeadOnce(String branch) throws GitException {
    try {
      for (Ref r :
          git.lsRemote()
              .setRemote(origin.url())
              .setHeads(true)
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .call()) {
        if (r.getName().equals(Constants.R_HEADS + branch)) {
          return r.getObjectId();
        }
      }
      return null;
    } catch (GitAPIException e) {
      throw wrap("cannot ask the origin for " + branch, e);
    }
  }

  /**
   * Pushes {@code branch} to the origin as a fast-forward; every ref update's status is checked.
   */
  public void push(String branch) throws GitException {
    push(branch, null);
  }

  /**
   * Pushes {@code branch} to the origin. With {@code expectedRemote} the push may replace the
   * origin's branch, but only while it still holds exactly that commit (a lease on the full ref
   * name); without it only a fast-forward is allowed. Every ref update's status is checked.
   */
  public void push(String branch, ObjectId expectedRemote) throws GitException {
    retry.call(
        "push",
        () -> {
          pushOnce(branch, expectedRemote, false);
          return null;
        });
  }

  /** Deletes the origin's {@code branch}, but only while it still holds {@code expected}. */
  public void deleteBranch(String branch, ObjectId expected) throws GitException {
    retry.call(
        "delete " + branch,
        () -> {
          pushOnce(branch, expected, true);
          return null;
        });
  }

  private void pushOnce(String branch, ObjectId expectedRemote, boolean delete)
      throws GitException {
    String ref = Constants.R_HEADS + branch;
    try {
      var push =
          git.push()
              .setRemote(origin.url())
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .setRefSpecs(
                  new RefSpec(
                      delete ? ":" + ref : (expectedRemote != null ? "+" : "") + ref + ":" + ref));
      if (expectedRemote != null) {
        push.setRefLeaseSpecs(new RefLeaseSpec(ref, expectedRemote.name()));
      }
      Iterable<PushResult> results = push.call();
      for (PushResult r : results) {
        for (RemoteRefUpdate u : r.getRemoteUpdates()) {
          if (u.getStatus() != RemoteRefUpdate.Status.OK
              && u.getStatus() != RemoteRefUpdate.Status.UP_TO_DATE
              && !(delete && u.getStatus() == RemoteRefUpdate.Status.NON_EXISTING)) {
            throw new GitException(
                "the origin refused "
                    + branch
                    + ": "
                    + u.getStatus()
                    + (u.getMessage() == null ? "" : " (" + u.getMessage() + ")"),
                false,
                null);
          }
        }
      }
    } catch (GitAPIException e) {
      throw wrap("cannot push " + branch, e);
    }
  }

  private static GitException wrap(String what, GitAPIException e) {
    boolean network = e instanceof TransportException && isNetwork(e);
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new GitException(what + ": " + detail + SshHints.of(detail), network, e);
  }

  /** Connection refused or reset, timeouts, unknown hosts, HTTP 5xx: worth another try. */
  static boolean isNetwork(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.SocketTimeoutException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.SocketException) {
        return true;
      }
      String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (m.contains("connection refused")
          || m.contains("connection reset")
          || m.contains("timed out")
          || m.contains(" 502 ")
          || m.contains(" 503 ")
          || m.contains(" 504 ")
          || m.contains("500 internal")) {
        return true;
      }
    }
    return false;
  }

  /** See {@link #cloneInto}: a clone with no remote, its credentials never written down. */
  static GitRepo cloneFrom(Origin origin, java.nio.file.Path dir) throws GitException {
    return cloneFrom(origin, dir, true);
  }

  private static GitRepo cloneFrom(Origin origin, java.nio.file.Path dir, boolean shareObjects)
      throws GitException {
    try {
      Git cloned;
      if (origin.isLocal() && CliClone.into(origin.url(), dir, shareObjects)) {
        cloned = Git.open(dir.toFile(), NoHooks.fs());
        return forgetOrigin(cloned);
      }
      dev.etask.core.workspace.FileTrees.delete(dir); // what a failed git clone left
      // every tag too: version tools (setuptools-scm) read them when the project is installed
      cloned =
          Git.cloneRepository()
              .setFs(NoHooks.fs())
              .setURI(origin.url())
              .setDirectory(dir.toFile())
              .setCloneAllBranches(true)
              .setTagOption(TagOpt.FETCH_TAGS)
              .setCredentialsProvider(origin.credentials())
              .setTransportConfigCallback(origin::configure)
              .setTimeout(TIMEOUT_SECONDS)
              .call();
      return forgetOrigin(cloned);
    } catch (GitAPIException e) {
      throw wrap("cannot clone " + origin.url(), e);
    } catch (IOException e) {
      throw new GitException("cannot write the clone " + dir + ": " + e.getMessage(), false, e);
    }
  }

  /** Removes the clone's remote and the branches' upstreams: the clone knows no origin. */
  private static GitRepo forgetOrigin(Git cloned) throws IOException {
    org.eclipse.jgit.lib.StoredConfig config = cloned.getRepository().getConfig();
    config.unsetSection("remote", "origin");
    for (String branch : config.getSubsections("branch")) {
      config.unset("branch", branch, "remote");
      config.unset("branch", branch, "merge");
    }
    config.save();
    return new GitRepo(cloned);
  }
}
