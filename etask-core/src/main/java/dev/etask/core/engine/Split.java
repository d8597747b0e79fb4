package dev.etask.core.engine;

import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.History;
import dev.etask.core.pr.PullRequest;
import dev.etask.core.pr.PullRequestProvider;
import dev.etask.core.report.PrBody;
import dev.etask.core.state.BatchState;
import dev.etask.core.state.Outcome;
import dev.etask.core.state.PullRequestRecord.Part;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.ObjectId;

/**
 * {@code pr.max_lines} (the roadmap's P6): when the accepted batches' diff is longer, they go out
 * as several pull requests a person can review one at a time — consecutive batches grouped up to
 * the limit, each part's commits made again on the base as {@code auto/<id>-part-N}, checked by the
 * whole suite and the rule book on its own against the baseline, pushed and opened with a body that
 * links the others. Together they are the task's branch, which is pushed as always. When the
 * batches cannot be split so (one batch, a part that does not apply or fails on its own), one PR
 * goes out as before, labelled {@code large-diff}, saying why.
 */
final class Split {
  static final String LARGE = "large-diff";

  private Split() {}

  /** True when the accepted batches went out as parts (then no single PR is opened). */
  static boolean publish(RunContext c, Outcome o, boolean simulate) {
    int max = c.spec().pr().maxLines();
    List<BatchState> accepted =
        c.state().batches().stream().filter(b -> b.committed() && b.revertedBy() == null).toList();
    int total = accepted.stream().mapToInt(Split::lines).sum();
    if (max <= 0 || total <= max) {
      return false;
    }
    List<List<BatchState>> groups = group(accepted, max);
    String why = total + " diff lines, more than pr.max_lines (" + max + ")";
    if (groups.size() < 2) {
      return unsplit(c, why + ", in one batch");
    }
    if (simulate) {
      c.out().info("dry run: " + why + ": would go out as " + groups.size() + " pull requests");
      return false;
    }
    List<Part> parts = new ArrayList<>();
    try (GitRepo git = c.openClone()) {
      List<Part> made = unchanged(c, git, groups);
      if (made != null) {
        c.state().unlabel(LARGE);
        open(c, o, made); // the same tip, the same parts: their PRs refreshed, nothing pushed
        return true;
      }
      c.out().info(why + ": splitting the " + accepted.size() + " batches into " + groups.size());
      for (int i = 0; i < groups.size(); i++) {
        String failed = make(c, git, groups.get(i), i + 1, parts);
        if (failed != null) {
          return unsplit(c, why + ", but " + failed);
        }
      }
      for (Part p : parts) {
        c.transport(git).push(p.branch(), earlier(c, p.branch()));
        c.state().git().own(p.sha());
      }
      c.state().pr().split(parts, git.head().name());
    } catch (GitException e) {
      return unsplit(c, why + ", but the parts cannot be made or pushed: " + e.getMessage());
    }
    c.state().unlabel(LARGE);
    open(c, o, parts);
    return true;
  }

  /**
   * The parts an earlier run made, when the task's tip and the grouping are what they were made
   * from; else null.
   */
  private static List<Part> unchanged(RunContext c, GitRepo git, List<List<BatchState>> groups)
      throws GitException {
    List<Part> known = c.state().pr().parts();
    if (known.size() != groups.size() || !git.head().name().equals(c.state().pr().partsFrom())) {
      return null;
    }
    for (int i = 0; i < groups.size(); i++) {
      if (!known.get(i).batches().equals(groups.get(i).stream().map(b -> b.index() + 1).toList())) {
        return null;
      }
    }
    return known;
  }

  /** Consecutive batches, each group up to {@code max} diff lines (a longer batch alone). */
  static List<List<BatchState>> group(List<BatchState> batches, int max) {
    List<List<BatchState>> groups = new ArrayList<>();
    List<BatchState> current = new ArrayList<>();
    int lines = 0;
    for (BatchState b : batches) {
      if (!current.isEmpty() && lines + lines(b) > max) {
        groups.add(current);
        current = new ArrayList<>();
        lines = 0;
      }
      current.add(b);
      lines += lines(b);
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    return groups;
  }

  private static int lines(BatchState b) {
    return b.metrics().getOrDefault("diff_lines", 0.0).intValue();
  }

  /**
   * Part {@code n}: its batches' commits made again on the base and measured there by the whole
   * suite; added to {@code parts}. Null when it passes, else why not.
   */
  private static String make(
      RunContext c, GitRepo git, List<BatchState> batches, int n, List<Part> parts)
      throws GitException {
    String branch = c.spec().branch() + "-part-" + n;
    List<ObjectId> commits = new ArrayList<>();
    batches.forEach(b -> commits.add(ObjectId.fromString(b.commit())));
    History history = new History(git);
    GateReport baseline = c.store().readReport("baseline");
    ObjectId tip;
    Delivery.TipCheck check;
    try {
      tip =
          history.pickOnto(
              ObjectId.fromString(c.state().git().baseSha()), commits, branch, c.ident());
      c.out().info("part " + n + " (" + label(batches) + "): the whole suite on its own …");
      ProjectEnvironment.follow(c); // what the part declares, not the whole task's tip
      GateReport report =
          c.gates()
              .measureSuite(
                  "part-" + n, c.state().env().sourceDirs(), baseline, RunContext.GATE_TIMEOUT);
      c.store().writeReport("part-" + n, report);
      check = Delivery.check(c, baseline, report);
    } catch (GitException e) {
      return "part " + n + " (" + label(batches) + ") does not apply on its own: " + e.getMessage();
    } finally {
      history.back(c.spec().branch());
      ProjectEnvironment.follow(c); // the task's tip again
    }
    if (check.failed()) {
      return "part "
          + n
          + " ("
          + label(batches)
          + ") fails on its own: "
          + String.join(", ", check.details().subList(0, Math.min(3, check.details().size())));
    }
    int lines = batches.stream().mapToInt(Split::lines).sum();
    parts.add(
        new Part(
            n,
            branch,
            batches.stream().map(b -> b.index() + 1).toList(),
            lines,
            tip.name(),
            null,
            0));
    return null;
  }

  /** The commit an earlier run pushed as {@code branch}: the lease for replacing it. */
  private static ObjectId earlier(RunContext c, String branch) {
    return c.state().pr().parts().stream()
        .filter(p -> p.branch().equals(branch) && p.sha() != null)
        .map(p -> ObjectId.fromString(p.sha()))
        .findFirst()
        .orElse(null);
  }

  /** Opens each part's PR, then writes every body again with the links to all of them. */
  private static void open(RunContext c, Outcome o, List<Part> parts) {
    List<Part> opened = new ArrayList<>(parts);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < opened.size(); i++) {
        Part p = opened.get(i);
        PullRequestProvider provider = c.tools().pullRequests(c, "pr-part-" + p.index());
        int known = p.number() > 0 ? p.number() : previousNumber(c, p.branch());
        try {
          PullRequestProvider.Published made =
              provider.publish(
                  new PullRequest(
                      c.redact(PrBody.title(c.spec()))
                          + " (part "
                          + p.index()
                          + " of "
                          + opened.size()
                          + ")",
                      body(c, o, p, opened),
                      p.branch(),
                      c.state().git().base(),
                      o.labels(),
                      c.spec().pr().github().draft(),
                      List.of(),
                      known),
                  x -> {});
          opened.set(
              i,
              new Part(
                  p.index(),
                  p.branch(),
                  p.batches(),
                  p.diffLines(),
                  p.sha(),
                  made.url(),
                  made.number()));
          if (round == 1) {
            c.out().phase("PR", "part " + p.index() + " of " + opened.size() + ": " + made.url());
          }
        } catch (IOException e) {
          c.out().warn("cannot publish part " + p.index() + ": " + c.redact(e.getMessage()));
        }
      }
      c.state().pr().split(opened);
      c.store().save();
    }
  }

  private static int previousNumber(RunContext c, String branch) {
    return c.state().pr().parts().stream()
        .filter(p -> p.branch().equals(branch))
        .mapToInt(Part::number)
        .findFirst()
        .orElse(0);
  }

  /** A part's body: what it holds, that it passed on its own, and every part with its link. */
  private static String body(RunContext c, Outcome o, Part p, List<Part> all) {
    StringBuilder b = new StringBuilder();
    b.append("## ").append(PrBody.title(c.spec())).append(" (part ").append(p.index());
    b.append(" of ").append(all.size()).append(")\n\n");
    b.append("etask task `").append(c.spec().id()).append("` · `").append(p.branch());
    b.append("` → `").append(c.state().git().base()).append("` · risk **");
    b.append(o.riskLevel()).append("**\n\n");
    b.append("The task's accepted changes (`").append(c.spec().branch()).append("`) are longer");
    b.append(" than `pr.max_lines` (").append(c.spec().pr().maxLines()).append("), so they are");
    b.append(" split. This part holds batch(es) ");
    b.append(String.join(", ", p.batches().stream().map(String::valueOf).toList()));
    b.append(" (").append(p.diffLines()).append(" diff lines) and passed the whole suite and");
    b.append(" the rule book on its own against `").append(c.state().git().base()).append("`.\n\n");
    b.append("| part | batches | diff lines | pull request |\n|---|---|---:|---|\n");
    for (Part x : all) {
      b.append("| ").append(x.index()).append(" | ");
      b.append(String.join(", ", x.batches().stream().map(String::valueOf).toList()));
      b.append(" | ").append(x.diffLines()).append(" | ");
      b.append(
          x.index() == p.index() ? "this one" : x.url() == null ? "`" + x.branch() + "`" : x.url());
      b.append(" |\n");
    }
    b.append("\n<details><summary>The whole task</summary>\n\n");
    b.append(PrBody.summaryTable(o)).append("\n</details>\n");
    return c.redact(b.toString());
  }

  /** One PR after all, labelled {@code large-diff}: said why. */
  private static boolean unsplit(RunContext c, String why) {
    c.state().pr().split(List.of(), null); // what an earlier run split no longer goes out
    c.state().label(LARGE);
    c.out().warn(why + ": one pull request, labelled " + LARGE);
    return false;
  }

  private static String label(List<BatchState> batches) {
    return "batch(es) "
        + String.join(", ", batches.stream().map(b -> String.valueOf(b.index() + 1)).toList());
  }
}
