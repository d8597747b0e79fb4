package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The task's branch and its origin, as state.json keeps them (their keys inline there): the base,
 * the commits etask made (ownership is by SHA, never by message), what was pushed, what someone
 * else pushed (etask then pushes nothing), and the tip the whole suite last passed on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class BranchRecord {
  private String base;
  private String baseSha;
  private String origin;
  private String lastPushedSha;

  /** etask commits found on the origin's branch when a fresh workspace adopted it. */
  private int adoptedCommits;

  /** The target files those adopted commits worked on: their batches are not redone. */
  private Set<String> adoptedTargets = new LinkedHashSet<>();

  /** Every commit etask made for this task (SHAs). */
  private Set<String> ownCommits = new LinkedHashSet<>();

  /** Commits on the origin's task branch that etask did not make (how they are listed). */
  private List<String> foreignCommits = new ArrayList<>();

  /** Why etask pushes nothing now (the origin's branch holds someone else's commits), or null. */
  private String halted;

  /**
   * The origin's branch tips as etask last saw them: what a push from inside the clone is told by.
   */
  private Map<String, String> originTips = new LinkedHashMap<>();

  /** Set when something pushed to the origin from the task's clone; only etask:clean clears it. */
  private String tampered;

  /** The files a rebase onto a moved base conflicted in. */
  private List<String> conflicts = new ArrayList<>();

  /**
   * The tip the whole suite last passed on: commits after it were validated incrementally and are
   * pushed only once the whole suite passed on the tip.
   */
  private String fullCheckedSha;

  /**
   * A tip, just rebased onto a moved base, the whole suite failed on: no batch is blamed for it
   * (the base may be the cause), so no later step of any run bisects it; a person decides.
   */
  private String rebasedTipFailed;

  /** The report of the last whole-suite measurement ({@code baseline}, {@code batch-3}, …). */
  private String fullReport;

  public String base() {
    return base;
  }

  public String baseSha() {
    return baseSha;
  }

  public String origin() {
    return origin;
  }

  public String lastPushedSha() {
    return lastPushedSha;
  }

  public int adoptedCommits() {
    return adoptedCommits;
  }

  public Set<String> adoptedTargets() {
    return java.util.Collections.unmodifiableSet(adoptedTargets);
  }

  public Set<String> ownCommits() {
    return java.util.Collections.unmodifiableSet(ownCommits);
  }

  public List<String> foreignCommits() {
    return List.copyOf(foreignCommits);
  }

  public String halted() {
    return halted;
  }

  public Map<String, String> originTips() {
    return java.util.Collections.unmodifiableMap(originTips);
  }

  public String tampered() {
    return tampered;
  }

  public List<String> conflicts() {
    return List.copyOf(conflicts);
  }

  public String fullCheckedSha() {
    return fullCheckedSha;
  }

  public String rebasedTipFailed() {
    return rebasedTipFailed;
  }

  public String fullReport() {
    return fullReport;
  }

  public void origin(String url) {
    origin = url;
  }

  /** The clone was made: the base branch and its commit. */
  public void cloned(String baseBranch, String sha) {
    base = baseBranch;
    baseSha = sha;
  }

  /** The branch was rebased onto the base's new tip {@code sha}. */
  public void rebased(String sha) {
    baseSha = sha;
  }

  /** A rebase onto the moved base conflicted in {@code files}: the branch was left as it was. */
  public void conflicted(Collection<String> files) {
    conflicts = new ArrayList<>(new LinkedHashSet<>(files));
  }

  /** The origin's task branch, at {@code tip}, holds only etask's {@code commits}: adopted. */
  public void adopted(String tip, List<String> commits, Collection<String> targets) {
    ownCommits.addAll(commits);
    lastPushedSha = tip;
    adoptedCommits = commits.size();
    adoptedTargets.addAll(targets);
  }

  /** A commit etask made (a batch, a revert, the failure record, a rebased copy). */
  public void own(String sha) {
    ownCommits.add(sha);
  }

  /** {@code sha} was pushed as {@code ref}. */
  public void pushed(String sha, String ref) {
    lastPushedSha = sha;
    originTips.put(ref, sha);
  }

  /** What the last fetch saw of the origin's branches. */
  public void fetched(Map<String, String> tips) {
    originTips = new LinkedHashMap<>(tips);
  }

  /** The origin's branch holds commits etask did not make: nothing is pushed over them. */
  public void halt(String why, List<String> foreign) {
    halted = why;
    foreignCommits = new ArrayList<>(foreign);
  }

  /** Those commits are gone from the origin's branch: etask pushes again. */
  public void resume() {
    halted = null;
    foreignCommits = new ArrayList<>();
  }

  /** Something pushed to the origin from the task's clone: for good. */
  public void tampered(String what) {
    tampered = what;
  }

  /**
   * The whole suite passed on {@code sha}, measured in report {@code report}: the state later
   * batches are judged against, and the tip that may be pushed. Both change together.
   */
  public void verified(String report, String sha) {
    fullReport = report;
    fullCheckedSha = sha;
  }

  /** The whole suite failed on {@code sha} right after a rebase: it waits for a person. */
  public void failedAfterRebase(String sha) {
    rebasedTipFailed = sha;
  }
}
