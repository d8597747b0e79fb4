package dev.etask.core.generate;

import dev.etask.core.process.Command;
import dev.etask.core.process.Confinement;
import dev.etask.core.process.ProcessRunner;
import dev.etask.core.process.ShellQuote;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Runs the spec's {@code generator.command} with {@code sh -c} in the clone's root. Placeholders
 * ({@code {file}}, {@code {files}}, {@code {spec_dir}}, {@code {workspace}}, {@code {prompt_file}})
 * are shell-quoted; the batch is described in {@code ETASK_*} variables and a prompt file outside
 * the clone.
 */
public final class CommandGenerator implements Generator {
  private final String template;
  private final Path specDir;
  private final Path workspaceRoot;
  private final Map<String, String> baseEnvironment;
  private final ProcessRunner runner;
  private final Confinement confinement;

  /** {@code confinement}: how the command is held (its sandbox and reaper); null for none. */
  public CommandGenerator(
      String template,
      Path specDir,
      Path workspaceRoot,
      Map<String, String> baseEnvironment,
      ProcessRunner runner,
      Confinement confinement) {
    this.template = template;
    this.specDir = specDir;
    this.workspaceRoot = workspaceRoot;
    this.baseEnvironment = Map.copyOf(baseEnvironment);
    this.runner = runner;
    this.confinement = confinement;
  }

  @Override
  public Outcome generate(Request r) {
    try {
      AtomicFiles.write(r.promptFile(), prompt(r));
    } catch (IOException e) {
      return new Outcome(
          false,
          false,
          -1,
          "cannot write the prompt file: " + e.getMessage(),
          java.time.Duration.ZERO);
    }
    Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
    env.put("ETASK_TASK_ID", r.taskId());
    env.put("ETASK_OBJECTIVE", r.objective());
    env.put("ETASK_BATCH_FILES", String.join("\n", r.files()));
    env.put("ETASK_PROMPT_FILE", r.promptFile().toString());
    env.put("ETASK_ATTEMPT", String.valueOf(r.attempt()));
    if (!r.feedback().isEmpty()) {
      env.put("ETASK_FEEDBACK", r.feedback());
    }
    String line =
        expand(template, r.files())
            .replace("{prompt_file}", ShellQuote.quote(r.promptFile().toString()));
    Command command = new Command(List.of("sh", "-c", line), r.repo(), env, r.timeout(), r.log());
    ProcessRunner.Result result =
        runner.run(confinement == null ? command : command.confined(confinement));
    return new Outcome(
        result.ok(), result.timedOut(), result.exitCode(), result.output(), result.duration());
  }

  String expand(String command, List<String> files) {
    String first = files.isEmpty() ? "" : files.get(0);
    return command
        .replace("{files}", files.stream().map(ShellQuote::quote).collect(Collectors.joining(" ")))
        .replace("{file}", ShellQuote.quote(first))
        .replace("{spec_dir}", ShellQuote.quote(specDir.toString()))
        .replace("{workspace}", ShellQuote.quote(workspaceRoot.toString()));
  }

  static String prompt(Request r) {
    StringBuilder b = new StringBuilder();
    b.append("# Task ")
        .append(r.taskId())
        .append("\n\n")
        .append(r.objective())
        .append("\n\n## Files of this batch\n\n");
    r.files().forEach(f -> b.append("- ").append(f).append('\n'));
    b.append("\n## You may change\n\n");
    r.files().forEach(f -> b.append("- ").append(f).append('\n'));
    if (!r.writable().isEmpty()) {
      b.append("- and files matching ").append(r.writable()).append('\n');
    }
    b.append(
            "\nChange nothing else: a change to any other file rolls the batch back. Do not commit")
        .append(" (etask commits what the gates accept).\n");
    b.append("\nAttempt ").append(r.attempt()).append(".\n");
    if (!r.feedback().isEmpty()) {
      b.append("\n## What went wrong last time\n\n").append(r.feedback()).append('\n');
    }
    return b.toString();
  }
}
