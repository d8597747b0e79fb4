package dev.etask.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.etask.core.generate.ChatClient;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.git.Patches;
import dev.etask.core.json.Json;
import dev.etask.core.spec.TaskSpec;
import dev.etask.core.state.RunState;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * {@code pr.semantic_review} (the seed's P5): a model rates the accepted diff low, medium or high
 * with its reasons, once per tip; the rating is a label, a section of the PR and an input to the
 * risk level. An endpoint that fails, or a reply that says nothing usable, never fails the task:
 * the PR says the review could not run, and why.
 */
final class SemanticReview {
  /** The most of the diff a review reads; a longer one is cut, and the model told so. */
  static final int MAX_DIFF_CHARS = 120_000;

  static final Duration TIMEOUT = Duration.ofMinutes(3);

  static final String SYSTEM =
      """
      You review a change to a Python repository for the risk it brings: could it change \
      behaviour users rely on, break callers, weaken tests, or hide a defect? Reply with JSON \
      only: {"risk": "low" | "medium" | "high", "reasons": ["one short sentence each", ...]}.""";

  private SemanticReview() {}

  /** Reviews the tip when it has accepted commits and was not reviewed at this commit yet. */
  static void run(RunContext c) {
    TaskSpec.Llm llm = c.spec().pr().semanticReview();
    RunState state = c.state();
    if (llm == null || state.committedCount() == 0) {
      return;
    }
    String diff;
    String tip;
    try (GitRepo git = c.openClone()) {
      ObjectId head = git.head();
      tip = head.name();
      if (state.review() != null
          && tip.equals(state.review().sha())
          && state.review().error() == null) {
        return; // one review per tip: a rerun does not pay for the same answer again
      }
      diff = Patches.between(git.repository(), ObjectId.fromString(state.git().baseSha()), head);
    } catch (GitException e) {
      state.reviewed(failed(llm, null, "cannot read the accepted diff: " + e.getMessage()));
      return;
    }
    c.out().info("semantic review: asking " + llm.model() + " about the accepted diff");
    state.reviewed(ask(c, llm, tip, diff));
    RunState.Review r = state.review();
    c.out()
        .info(
            r.error() == null
                ? "semantic review: risk " + r.risk()
                : "semantic review could not run: " + r.error());
  }

  private static RunState.Review ask(RunContext c, TaskSpec.Llm llm, String tip, String diff) {
    String prompt =
        "Objective of the change: "
            + c.spec().objective()
            + "\n\n```diff\n"
            + (diff.length() > MAX_DIFF_CHARS
                ? diff.substring(0, MAX_DIFF_CHARS) + "\n… (the rest of the diff is left out)"
                : diff)
            + "\n```\n";
    try {
      ChatClient client =
          new ChatClient(llm.baseUrl(), c.config().environment().get(llm.apiKeyEnv()));
      ChatClient.Reply reply =
          client.ask(
              llm.model(),
              SYSTEM,
              c.redact(prompt),
              llm.maxTokens(),
              llm.temperature(),
              Instant.now().plus(TIMEOUT));
      return parse(llm, tip, reply.content());
    } catch (IOException e) {
      return failed(llm, tip, c.redact(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(llm, tip, "interrupted");
    }
  }

  /** The reply's JSON (bare, or in a fence), or why it is not usable. */
  static RunState.Review parse(TaskSpec.Llm llm, String tip, String reply) {
    int start = reply.indexOf('{');
    int end = reply.lastIndexOf('}');
    if (start < 0 || end < start) {
      return failed(llm, tip, "the reply holds no JSON object: " + snippet(reply));
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(reply.substring(start, end + 1));
    } catch (IOException e) {
      return failed(llm, tip, "the reply's JSON does not parse: " + snippet(reply));
    }
    String risk = root.path("risk").asText("").toLowerCase(java.util.Locale.ROOT);
    if (!Set.of("low", "medium", "high").contains(risk)) {
      return failed(llm, tip, "the reply's risk is not low, medium or high: " + snippet(reply));
    }
    List<String> reasons = new ArrayList<>();
    root.path("reasons").forEach(r -> reasons.add(snippet(r.asText())));
    return new RunState.Review(tip, llm.model(), risk, List.copyOf(reasons), null);
  }

  private static RunState.Review failed(TaskSpec.Llm llm, String tip, String why) {
    return new RunState.Review(tip, llm.model(), null, List.of(), why);
  }

  private static String snippet(String s) {
    String t = s.replaceAll("\\s+", " ").strip();
    return t.length() > 300 ? t.substring(0, 300) + "…" : t;
  }
}
