package dev.etask.core.generate;

import dev.etask.core.workspace.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;

/**
 * A batch written by a model behind an OpenAI-compatible chat endpoint ({@code generator.llm}): the
 * prompt holds the objective, the batch's files with their contents, what may change and, on a
 * retry, why the last attempt failed; the reply is whole files ({@code <<<FILE path} … {@code
 * >>>END}) or one unified diff, applied only when every path it touches is one the batch may change
 * (else the attempt fails with that as its feedback). Runs in etask's JVM: no code of the reply
 * runs here; the gates judge it as any generator's change.
 */
public final class LlmGenerator implements Generator {
  /** The most of the batch's current contents a prompt carries. */
  static final int MAX_CONTEXT_CHARS = 200_000;

  private static final Pattern FILE_BLOCK =
      Pattern.compile("(?ms)^<<<FILE[ \\t]+(\\S+)[ \\t]*\\R(.*?)^>>>END[ \\t]*$");
  private static final Pattern DIFF_FENCE = Pattern.compile("(?ms)^```(?:diff|patch)\\R(.*?)^```");
  private static final Pattern DIFF_PATH = Pattern.compile("(?m)^(?:---|\\+\\+\\+) (\\S+)");

  private final ChatClient client;
  private final String model;
  private final int maxTokens;
  private final double temperature;
  private final Predicate<String> writable;

  /** {@code writable}: what a batch may change beside its own files ({@code target.writable}). */
  public LlmGenerator(
      ChatClient client,
      String model,
      int maxTokens,
      double temperature,
      Predicate<String> writable) {
    this.client = client;
    this.model = model;
    this.maxTokens = maxTokens;
    this.temperature = temperature;
    this.writable = writable;
  }

  @Override
  public Outcome generate(Request r) {
    long t0 = System.nanoTime();
    StringBuilder log = new StringBuilder();
    Outcome o;
    try {
      String prompt = prompt(r);
      AtomicFiles.write(r.promptFile(), prompt);
      log.append("model ")
          .append(model)
          .append(", prompt ")
          .append(prompt.length())
          .append(" chars\n");
      ChatClient.Reply reply =
          client.ask(
              model, SYSTEM, prompt, maxTokens, temperature, Instant.now().plus(r.timeout()));
      log.append("--- reply ---\n").append(reply.content()).append("\n--- end of reply ---\n");
      String applied = apply(r, reply.content());
      log.append(applied).append('\n');
      o = new Outcome(true, false, 0, log.toString(), since(t0), reply.usage());
    } catch (ChatClient.ChatException | Rejected e) {
      log.append(e.getMessage()).append('\n');
      o = new Outcome(false, false, 1, log.toString(), since(t0));
    } catch (IOException e) {
      log.append("cannot write the reply's files: ").append(e.getMessage()).append('\n');
      o = new Outcome(false, false, 1, log.toString(), since(t0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.append("interrupted while waiting for the model\n");
      o = new Outcome(false, true, -1, log.toString(), since(t0));
    }
    try {
      AtomicFiles.write(r.log(), o.output());
    } catch (IOException e) {
      // the outcome carries the same text
    }
    return o;
  }

  private static Duration since(long t0) {
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** A reply that cannot be applied: the message is the next attempt's feedback. */
  static final class Rejected extends Exception {
    Rejected(String message) {
      super(message);
    }
  }

  static final String SYSTEM =
      """
      You change files of a Python repository to reach an objective. Reply with every file you \
      change, in full, each in a block:
      <<<FILE path/from/the/repository/root.py
      the whole new content of the file
      >>>END
      or reply with one unified diff (as git diff prints it, paths a/… and b/…) in a ```diff \
      fence. Change only the files the prompt says you may change; never delete a file. Put \
      nothing outside the blocks but a short note.""";

  String prompt(Request r) throws IOException {
    StringBuilder b = new StringBuilder(CommandGenerator.prompt(r));
    b.append("\n## Current contents\n");
    int budget = MAX_CONTEXT_CHARS;
    for (String f : r.files()) {
      Path p = r.repo().resolve(f);
      String text = Files.isRegularFile(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
      if (text.length() > budget) {
        b.append("\n(").append(f).append(" and the rest left out: the prompt is full)\n");
        break;
      }
      budget -= text.length();
      b.append("\n<<<FILE ").append(f).append('\n').append(text);
      if (!text.endsWith("\n")) {
        b.append('\n');
      }
      b.append(">>>END\n");
    }
    return b.toString();
  }

  /** Writes the reply's files (or applies its diff); says what it changed. */
  String apply(Request r, String reply) throws Rejected, IOException {
    Map<String, String> files = new LinkedHashMap<>();
    Matcher m = FILE_BLOCK.matcher(reply);
    while (m.find()) {
      files.put(m.group(1), unfence(m.group(2)));
    }
    if (!files.isEmpty()) {
      for (String path : files.keySet()) {
        check(r, path);
      }
      for (Map.Entry<String, String> e : files.entrySet()) {
        Path target = r.repo().resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.writeString(target, e.getValue(), StandardCharsets.UTF_8);
      }
      return "wrote " + String.join(", ", files.keySet());
    }
    String diff = diff(reply);
    if (diff == null) {
      throw new Rejected(
          "the reply holds no <<<FILE block and no unified diff, so nothing was changed; reply"
              + " with whole files in <<<FILE path … >>>END blocks");
    }
    List<String> paths = new ArrayList<>();
    Matcher d = DIFF_PATH.matcher(diff);
    while (d.find()) {
      String p = d.group(1);
      if (!p.equals("/dev/null")) {
        paths.add(p.replaceFirst("^[ab]/", ""));
      }
    }
    for (String path : paths) {
      check(r, path);
    }
    if (diff.contains("\n+++ /dev/null")) {
      throw new Rejected("the reply's diff deletes a file: a batch never deletes files");
    }
    try (Git git = Git.open(r.repo().toFile())) {
      git.apply().setPatch(new ByteArrayInputStream(diff.getBytes(StandardCharsets.UTF_8))).call();
    } catch (GitAPIException | RuntimeException e) {
      throw new Rejected(
          "the reply's diff does not apply to the files as they are: "
              + e.getMessage()
              + "; reply with whole files in <<<FILE path … >>>END blocks instead");
    }
    return "applied a diff to " + String.join(", ", paths.stream().distinct().toList());
  }

  /** A path the batch may change: relative, inside the clone, its own file or a writable one. */
  private void check(Request r, String path) throws Rejected {
    Path root = r.repo().toAbsolutePath().normalize();
    Path target = root.resolve(path).normalize();
    boolean inside =
        !path.startsWith("/")
            && target.startsWith(root)
            && !root.relativize(target).startsWith(".git");
    String rel = inside ? root.relativize(target).toString().replace('\\', '/') : path;
    if (!inside || !(r.files().contains(rel) || writable.test(rel))) {
      throw new Rejected(
          "the reply changes "
              + path
              + ", which this batch may not change (it may change "
              + String.join(", ", r.files())
              + (r.writable().isEmpty() ? "" : " and " + r.writable())
              + "): nothing of the reply was applied");
    }
  }

  /** The diff in the reply: a ```diff fence's content, or the reply when it is a bare diff. */
  private static String diff(String reply) {
    Matcher f = DIFF_FENCE.matcher(reply);
    String text = f.find() ? f.group(1) : reply;
    return text.contains("\n+++ ")
            && (text.startsWith("--- ") || text.contains("\n--- ") || text.startsWith("diff --git"))
        ? text
        : null;
  }

  /** A file block's content without a Markdown fence a model may have put around it. */
  private static String unfence(String content) {
    Matcher m =
        Pattern.compile("(?s)\\A```[\\w.+-]*\\R(.*?)^```\\s*\\z", Pattern.MULTILINE)
            .matcher(content);
    return m.find() ? m.group(1) : content;
  }
}
