package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * The task's pull request as state.json keeps it (its keys inline there): the provider PREPARE
 * chose, the PR once it exists (a resume updates it, never opens another), the labels etask set
 * last, and the failure PR.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class PullRequestRecord {
  /** github, local or none. */
  private String provider;

  private String prUrl;

  /** 0 before the PR exists. */
  private int prNumber;

  /** The labels etask set on the PR last time: those that no longer apply are removed. */
  private List<String> prLabels = new ArrayList<>();

  private String failurePrUrl;

  /** The PRs the accepted batches were split into (pr.max_lines), in order; empty when not. */
  private List<Part> prParts = new ArrayList<>();

  /**
   * One part: its number (from 1), branch, the batches (from 1) it holds, their diff lines, the
   * commit pushed, and its PR.
   */
  public record Part(
      int index,
      String branch,
      List<Integer> batches,
      int diffLines,
      String sha,
      String url,
      int number) {}

  public List<Part> parts() {
    return List.copyOf(prParts);
  }

  /** The task's tip the parts were made from (a run on the same tip publishes them as they are). */
  private String prPartsFrom;

  public String partsFrom() {
    return prPartsFrom;
  }

  /** The accepted batches went out as {@code parts}, made from the task's tip {@code from}. */
  public void split(List<Part> parts, String from) {
    prParts = new ArrayList<>(parts);
    prPartsFrom = parts.isEmpty() ? null : from;
  }

  /** The parts as published (their PRs' addresses and numbers), from the same tip. */
  public void split(List<Part> parts) {
    prParts = new ArrayList<>(parts);
  }

  public String provider() {
    return provider;
  }

  public String url() {
    return prUrl;
  }

  public int number() {
    return prNumber;
  }

  public List<String> labels() {
    return List.copyOf(prLabels);
  }

  public String failureUrl() {
    return failurePrUrl;
  }

  public void provider(String chosen) {
    provider = chosen;
  }

  /** The PR exists: a run that stops now must find it, not open another. */
  public void opened(String url, int number) {
    prUrl = url;
    prNumber = number;
  }

  /** The PR was opened or updated with {@code labels}. */
  public void published(String url, int number, List<String> labels) {
    opened(url, number);
    prLabels = new ArrayList<>(labels);
  }

  /** The failure PR, or null once a real PR superseded it. */
  public void failurePr(String url) {
    failurePrUrl = url;
  }
}
