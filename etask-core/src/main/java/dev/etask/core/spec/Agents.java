package dev.etask.core.spec;

import java.util.List;
import java.util.Map;

/**
 * The coding-agent CLIs {@code generator.agent} names, each as the non-interactive command line
 * etask runs: the prompt from {@code {prompt_file}} (objective, the batch's files, what may change,
 * the last attempt's feedback), the batch's files given to it, its own commits, lint and test runs
 * off (the sandbox makes {@code .git} read-only anyway; its {@code git add} goes to etask's copy of
 * the index), its history files in the attempt's scratch folder (never in the clone, where they
 * would be changes outside the allowlist). The key, model and endpoint reach it through the
 * variables listed in {@code generator.env}.
 */
public final class Agents {
  // aider: key, model and endpoint from OPENAI_API_KEY, AIDER_MODEL, OPENAI_API_BASE (or another
  // provider's variables aider reads); claude-code: ANTHROPIC_API_KEY, ANTHROPIC_MODEL,
  // ANTHROPIC_BASE_URL, its shell tool off (no commits, no commands), edits accepted
  private static final Map<String, String> COMMANDS =
      Map.of(
          "aider",
          "aider --yes-always --no-auto-commits --no-dirty-commits --no-gitignore --no-auto-lint"
              + " --no-auto-test --no-check-update"
              + " --analytics-disable --no-show-model-warnings --no-show-release-notes --no-pretty"
              + " --no-fancy-input --no-stream --no-detect-urls --no-suggest-shell-commands"
              + " --map-tokens 0 --chat-history-file {workspace}/aider.chat.md"
              + " --input-history-file {workspace}/aider.input --message-file {prompt_file}"
              + " {files}",
          "claude-code",
          "DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"
              + " claude -p \"$(cat {prompt_file})\" --permission-mode acceptEdits"
              + " --allowedTools Read,Edit,Write,Glob,Grep --disallowedTools Bash"
              + " --output-format text");

  private Agents() {}

  /** The command line of {@code name}, or null when etask does not know it. */
  public static String command(String name) {
    return name == null ? null : COMMANDS.get(name);
  }

  public static List<String> names() {
    return COMMANDS.keySet().stream().sorted().toList();
  }
}
