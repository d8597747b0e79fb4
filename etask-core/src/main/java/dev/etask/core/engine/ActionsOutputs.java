package dev.etask.core.engine;

import dev.etask.core.report.PrBody;
import dev.etask.core.state.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What a GitHub Actions step shows and hands on: with {@code GITHUB_STEP_SUMMARY} set, the task's
 * summary table is appended to the job summary; with {@code GITHUB_OUTPUT} set, {@code pr_url},
 * {@code exit_code} and {@code risk_level} become the step's outputs. Written once per run.
 */
final class ActionsOutputs {
  private ActionsOutputs() {}

  static void write(RunContext c, Outcome o) {
    if (c.ciOutputsWritten()) {
      return;
    }
    c.ciOutputsWritten(true);
    String summary = c.config().environment().get("GITHUB_STEP_SUMMARY");
    String output = c.config().environment().get("GITHUB_OUTPUT");
    String pr = c.state().pr().url() != null ? c.state().pr().url() : "";
    try {
      if (summary != null && !summary.isBlank()) {
        StringBuilder md = new StringBuilder();
        md.append("### etask `")
            .append(c.spec().id())
            .append("`: exit ")
            .append(o.exitCode())
            .append(" · risk ")
            .append(o.riskLevel())
            .append("\n\n")
            .append(o.summary())
            .append("\n\n")
            .append(PrBody.summaryTable(o))
            .append("\n");
        if (!pr.isEmpty()) {
          md.append("Pull request: ").append(pr).append("\n");
        }
        if (c.state().fatal() != null) {
          md.append("Failure: `")
              .append(c.state().fatal().code())
              .append("` — ")
              .append(c.state().fatal().nextStep())
              .append("\n");
        }
        append(Path.of(summary), c.redact(md.toString()) + "\n");
      }
      if (output != null && !output.isBlank()) {
        append(
            Path.of(output),
            c.redact(
                "pr_url="
                    + pr.replaceAll("[\r\n]", "")
                    + "\nexit_code="
                    + o.exitCode()
                    + "\nrisk_level="
                    + o.riskLevel()
                    + "\n"));
      }
    } catch (IOException e) {
      c.out().warn("could not write the GitHub Actions outputs: " + e.getMessage());
    }
  }

  private static void append(Path file, String text) throws IOException {
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
  }
}
