package dev.etask.core.spec;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The spec's {@code generator:} section: a command of the user's or one of etask's built-in
 * generators, never both, and the sandbox a built-in one needs.
 */
final class GeneratorSection {
  private GeneratorSection() {}

  static TaskSpec.Generator read(YamlSection gen, Path file, SpecProblems problems) {
    gen.allow(
        "command", "builtin", "timeout", "budget", "tidy", "env", "network", "mounts", "llm",
        "agent");
    // 'agent: null' takes a type's agent away, as 'builtin: null' its built-in generator
    boolean agent = gen.has("agent") && !unset(gen, "agent");
    String command = agent ? agent(gen, problems) : gen.string("command", null);
    boolean none = unset(gen, "builtin"); // 'builtin: null' takes a type's generator away
    String builtin = none ? null : builtin(gen, command, problems);
    TaskSpec.Llm llm = gen.has("llm") ? llm(gen, command, builtin, problems) : null;
    if ((command == null || command.isBlank())
        && builtin == null
        && !gen.has("llm")
        && (none || !gen.has("builtin"))) {
      gen.missing(
          "command",
          "the command that changes a batch, e.g. \"python {spec_dir}/gen.py {file}\" (or a"
              + " task type that brings its own generator: 'mvn etask:templates' lists them)");
    }
    TaskSpec.Generator generator =
        new TaskSpec.Generator(
            command,
            builtin,
            gen.duration("timeout", Duration.ofMinutes(10)),
            gen.duration("budget", Duration.ofSeconds(10)),
            gen.has("tidy") ? gen.bool("tidy", true) : null,
            EnvironmentKeys.names(gen, "env"),
            gen.bool("network", true),
            SpecSections.mounts(gen, file.toAbsolutePath().normalize().getParent(), problems),
            llm);
    SpecSections.refuseTokens(gen, "env", generator.env(), problems);
    return generator;
  }

  /**
   * {@code sandbox:}; {@code required} for Pynguin, which runs the project's code with random
   * inputs (deleting files, opening sockets are inputs it may try).
   */
  static TaskSpec.SandboxMode sandbox(YamlSection top, SpecProblems problems) {
    TaskSpec.SandboxMode mode =
        top.enumValue("sandbox", TaskSpec.SandboxMode.class, TaskSpec.SandboxMode.AUTO);
    YamlSection gen = top.section("generator");
    if ("pynguin".equals(gen.string("builtin", null)) && mode != TaskSpec.SandboxMode.REQUIRED) {
      problems.error(
          gen.valueNode("builtin"),
          "'generator.builtin: pynguin' runs the repository's code with random inputs: it runs only"
              + " in the sandbox; add 'sandbox: required' to the spec");
    }
    return mode;
  }

  /**
   * The dependency-upgrade generator works on one dependency a batch: only with {@code
   * strategy.batch_mode: per_dependency} (which its type sets).
   */
  static void requireBatchMode(YamlSection top, SpecProblems problems) {
    YamlSection gen = top.section("generator");
    String mode = top.section("strategy").string("batch_mode", "single_file");
    if ("dependency-upgrade".equals(gen.string("builtin", null))
        && !"per_dependency".equals(mode)) {
      problems.error(
          gen.valueNode("builtin"),
          "'generator.builtin: dependency-upgrade' upgrades one dependency a batch: it needs"
              + " 'strategy.batch_mode: per_dependency' (type: dependency-upgrade sets it), not '"
              + mode
              + "'");
    }
  }

  /** {@code generator.llm} ({@link LlmSettings}); never beside a command or a built-in one. */
  private static TaskSpec.Llm llm(
      YamlSection gen, String command, String builtin, SpecProblems problems) {
    if (command != null || builtin != null) {
      problems.error(
          gen.keyNode("llm"),
          "'generator.llm' and '"
              + (command != null ? "generator.command" : "generator.builtin: " + builtin)
              + "' both say what changes a batch: keep one (write 'builtin: null' to drop a"
              + " type's built-in generator)");
    }
    return LlmSettings.read(gen.section("llm"), "generator.llm", problems);
  }

  /**
   * {@code generator.agent}: a coding-agent CLI by name, run as its documented command line ({@link
   * Agents}); never beside a command of the user's.
   */
  private static String agent(YamlSection gen, SpecProblems problems) {
    String name = gen.string("agent", null);
    if (gen.has("command")) {
      problems.error(
          gen.keyNode("command"),
          "'generator.command' and 'generator.agent' both say what changes a batch: keep the"
              + " agent, or write its command line yourself in generator.command (docs/generators.md"
              + " shows each agent's) and remove 'agent'");
      return null;
    }
    String command = Agents.command(name);
    if (command == null) {
      problems.error(
          gen.valueNode("agent"),
          "'generator.agent: "
              + name
              + "' is not an agent etask knows; it knows "
              + String.join(", ", Agents.names())
              + ". For another CLI, give its non-interactive command line in generator.command"
              + " ({prompt_file} is the prompt)");
    }
    return command;
  }

  /** Whether {@code key} is given as {@code null}. */
  private static boolean unset(YamlSection section, String key) {
    return section.keys().contains(key) && YamlSection.isNull(section.valueNode(key));
  }

  /** {@code generator.builtin}: one etask has, and never beside a command of the user's. */
  private static String builtin(YamlSection gen, String command, SpecProblems problems) {
    String builtin = gen.string("builtin", null);
    if (builtin == null) {
      return null;
    }
    if (!SpecLoader.BUILTINS.contains(builtin)) {
      problems.error(
          gen.valueNode("builtin"),
          "'generator.builtin: "
              + builtin
              + "' is not a generator etask has; the built-in generators: "
              + String.join(", ", SpecLoader.BUILTINS)
              + ". Or give a command of yours in generator.command instead");
      return null;
    }
    if (command != null) {
      problems.error(
          gen.keyNode("command"),
          "'generator.command' and 'generator.builtin' ("
              + builtin
              + ", which a task type may bring) both say what changes a batch: to run your command,"
              + " write 'builtin: null' beside it (or 'type: custom'); else remove the command");
    }
    return builtin;
  }
}
