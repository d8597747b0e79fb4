package dev.etask.core.spec;

import dev.etask.core.spec.TaskSpec.Action;
import dev.etask.core.spec.TaskSpec.Provider;
import dev.etask.core.spec.TaskSpec.RuleOverride;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The larger sections of a spec, each mapped from its YAML on its own (see {@link SpecLoader}). */
final class SpecSections {
  private SpecSections() {}

  static TaskSpec.Python python(YamlSection py, SpecProblems problems) {
    py.allow("interpreter", "install", "tools", "source", "env");
    Map<String, String> tools = new LinkedHashMap<>();
    Map<String, String> toolOverrides = stringMap(py.section("tools"));
    for (Map.Entry<String, String> e : toolOverrides.entrySet()) {
      if (!SpecLoader.DEFAULT_TOOLS.containsKey(e.getKey())) {
        problems.error(
            py.valueNode("tools"),
            "unknown tool '"
                + e.getKey()
                + "'"
                + Suggest.closest(e.getKey(), SpecLoader.DEFAULT_TOOLS.keySet())
                    .map(k -> "; did you mean '" + k + "'?")
                    .orElse("")
                + " (tools: "
                + String.join(", ", SpecLoader.DEFAULT_TOOLS.keySet())
                + ")");
      }
      tools.put(e.getKey(), e.getValue());
    }
    TaskSpec.Python python =
        new TaskSpec.Python(
            py.string("interpreter", "python3"),
            py.has("install") ? py.words("install") : null,
            java.util.Collections.unmodifiableMap(tools),
            py.has("source") ? py.strings("source") : null,
            EnvironmentKeys.variables(py, "env"));
    refuseTokens(
        py,
        "env",
        python.env().stream()
            .map(e -> e.contains("=") ? e.substring(0, e.indexOf('=')) : e)
            .toList(),
        problems);
    return python;
  }

  /** {@code quality_gates.lint.select}: ruff rule codes or prefixes; null: the project's own. */
  private static List<String> lintSelect(YamlSection lint, SpecProblems problems) {
    lint.allow("select");
    List<String> select = lint.has("select") ? lint.strings("select") : null;
    if (select != null) {
      for (String rule : select) {
        if (!rule.matches("[A-Z]+[0-9]*|ALL")) {
          problems.error(
              lint.valueNode("select"),
              "'" + rule + "' is not a ruff rule code or prefix (such as E9, F82, I001, ALL)");
        }
      }
    }
    return select;
  }

  static TaskSpec.QualityGates qualityGates(YamlSection gates, SpecProblems problems) {
    gates.allow(
        "require_all_tests_pass",
        "min_coverage_delta",
        "coverage_tolerance",
        "forbid_new_type_errors",
        "forbid_new_lint_errors",
        "max_diff_lines",
        "flaky_reruns",
        "check_assertions",
        "mutation_check",
        "tests",
        "lint",
        "validation",
        "network",
        "test_timeout");
    YamlSection tests = gates.section("tests");
    tests.allow("runner", "args", "parallel");
    String parallel = tests.string("parallel", "project");
    if (!parallel.matches("project|off|auto|[1-9][0-9]?")) {
      problems.error(
          tests.valueNode("parallel"),
          "'"
              + parallel
              + "' is not a choice for quality_gates.tests.parallel: project (the default: in"
              + " pytest-xdist workers when the project runs its suite so), off, auto (a worker per"
              + " core) or a number of workers from 1 to 99");
    }
    List<String> select = lintSelect(gates.section("lint"), problems);
    TaskSpec.QualityGates qualityGates =
        new TaskSpec.QualityGates(
            gates.bool("require_all_tests_pass", true),
            gates.number("min_coverage_delta", 0),
            gates.number("coverage_tolerance", 0.5),
            gates.bool("forbid_new_type_errors", true),
            gates.bool("forbid_new_lint_errors", true),
            gates.integer("max_diff_lines", 400, 1, Integer.MAX_VALUE),
            gates.integer("flaky_reruns", 3, 0, 20),
            gates.bool("check_assertions", true),
            gates.bool("mutation_check", false),
            new TaskSpec.Tests(
                tests.enumValue("runner", TaskSpec.Runner.class, TaskSpec.Runner.AUTO),
                tests.argv("args"),
                parallel),
            new TaskSpec.Lint(select),
            gates.enumValue(
                "validation", TaskSpec.Validation.class, TaskSpec.Validation.INCREMENTAL),
            gates.bool("network", false),
            gates.duration("test_timeout", java.time.Duration.ofMinutes(5)));
    return qualityGates;
  }

  /**
   * {@code generator.mounts}: folders the sandbox shows the generator read-only, each relative to
   * the spec's folder or absolute; one that is not a folder is an error.
   */
  static List<java.nio.file.Path> mounts(
      YamlSection gen, java.nio.file.Path specDir, SpecProblems problems) {
    List<java.nio.file.Path> out = new java.util.ArrayList<>();
    for (String m : gen.has("mounts") ? gen.strings("mounts") : List.<String>of()) {
      java.nio.file.Path p = specDir.resolve(m).normalize();
      if (!java.nio.file.Files.isDirectory(p)) {
        problems.error(
            gen.valueNode("mounts"),
            "'"
                + m
                + "' in generator.mounts is not a folder ("
                + p
                + "); list folders the generator needs to read, relative to the spec's folder or"
                + " absolute");
      } else {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }

  static Map<String, RuleOverride> rules(YamlSection rulesSection, SpecProblems problems) {
    Map<String, RuleOverride> rules = new LinkedHashMap<>();
    for (String name : rulesSection.keys()) {
      YamlSection rule = rulesSection.section(name);
      if (SpecLoader.RULE_NAMES.contains(name)) {
        rule.allow("action", "label");
        rules.put(
            name,
            new RuleOverride(
                rule.enumValue("action", Action.class, null), rule.string("label", null), null));
        continue;
      }
      if (!rule.has("when")) {
        problems.error(
            rulesSection.keyNode(name),
            "unknown rule '"
                + name
                + "'"
                + Suggest.closest(name, SpecLoader.RULE_NAMES)
                    .map(k -> "; did you mean '" + k + "'?")
                    .orElse("")
                + " (built-in rules: "
                + String.join(", ", new java.util.TreeSet<>(SpecLoader.RULE_NAMES))
                + "; a custom rule needs 'when: <expression>')");
        continue;
      }
      rule.allow("when", "action", "label");
      if (!name.matches("[a-z][a-z0-9_]*")) {
        problems.error(
            rulesSection.keyNode(name), "rule names use lower-case letters, digits and '_'");
      }
      List<Expression> when = rule.expressions("when");
      rules.put(
          name,
          new RuleOverride(
              rule.enumValue("action", Action.class, Action.KEEP),
              rule.string("label", name.replace('_', '-')),
              when.isEmpty() ? null : when.get(0)));
    }
    return java.util.Collections.unmodifiableMap(rules);
  }

  static TaskSpec.Git git(YamlSection git, SpecProblems problems) {
    git.allow("author", "test_files", "revalidate_after_rebase", "rebase_attempts");
    String author = git.string("author", "etask <etask@users.noreply.localhost>");
    Matcher am = Pattern.compile("\\s*(.+?)\\s*<([^<>\\s]+)>\\s*").matcher(author);
    String authorName = "etask";
    String authorEmail = "etask@users.noreply.localhost";
    if (am.matches()) {
      authorName = am.group(1);
      authorEmail = am.group(2);
    } else {
      problems.error(
          git.valueNode("author"), "'git.author' must look like 'Name <email@example.com>'");
    }
    List<Glob> testFiles =
        git.has("test_files")
            ? git.globs("test_files")
            : List.of(
                Glob.compile("tests/**"),
                Glob.compile("**/test_*.py"),
                Glob.compile("**/*_test.py"));
    TaskSpec.Git gitSpec =
        new TaskSpec.Git(
            authorName,
            authorEmail,
            testFiles,
            git.bool("revalidate_after_rebase", true),
            git.integer("rebase_attempts", 3, 1, 20));
    return gitSpec;
  }

  static TaskSpec.Pr pr(YamlSection pr, SpecProblems problems) {
    pr.allow(
        "provider",
        "title_prefix",
        "labels",
        "failure_pr",
        "risk_rules",
        "github",
        "semantic_review",
        "address_reviews",
        "max_lines");
    YamlSection risk = pr.section("risk_rules");
    risk.allow("high_if", "medium_if");
    Provider provider = pr.enumValue("provider", Provider.class, Provider.AUTO);
    TaskSpec.Pr prSpec =
        new TaskSpec.Pr(
            provider,
            pr.string("title_prefix", "chore(etask):"),
            pr.has("labels") ? pr.strings("labels") : List.of("automated"),
            pr.bool("failure_pr", false),
            risk.expressions("high_if"),
            risk.expressions("medium_if"),
            github(pr, problems),
            pr.has("semantic_review")
                ? LlmSettings.read(pr.section("semantic_review"), "pr.semantic_review", problems)
                : null,
            pr.bool("address_reviews", false),
            pr.has("max_lines") ? pr.integer("max_lines", 0, 1, 1_000_000) : 0);
    return prSpec;
  }

  private static TaskSpec.Github github(YamlSection pr, SpecProblems problems) {
    if (!pr.has("github")) {
      return TaskSpec.Github.defaults();
    }
    YamlSection gh = pr.section("github");
    gh.allow("api_url", "repository", "server_id", "reviewers", "draft");
    String api = gh.string("api_url", TaskSpec.Github.API);
    if (!api.matches("https?://[^\\s/]+(/\\S*)?")) {
      problems.error(
          gh.valueNode("api_url"),
          "'pr.github.api_url' must be an http(s) URL such as https://api.github.com or"
              + " https://HOST/api/v3 (GitHub Enterprise), not '"
              + api
              + "'");
    } else if (api.startsWith("http://")
        && !api.matches("http://(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?(/.*)?")) {
      problems.error(
          gh.valueNode("api_url"),
          "'pr.github.api_url' must use https (the token travels with every call); plain http is"
              + " only for a stub on localhost");
    } else if (api.matches("https?://[^/]*@.*")) {
      problems.error(
          gh.valueNode("api_url"),
          "'pr.github.api_url' must not hold credentials: put the token in settings.xml (server"
              + " 'pr.github.server_id'), GH_TOKEN or GITHUB_TOKEN");
    }
    String repository = gh.string("repository", null);
    if (repository != null && !repository.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
      problems.error(
          gh.valueNode("repository"),
          "'pr.github.repository' must be 'owner/name', not '" + repository + "'");
    }
    List<String> reviewers = gh.strings("reviewers");
    for (String r : reviewers) {
      if (!r.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")) {
        problems.error(
            gh.valueNode("reviewers"),
            "'" + r + "' in 'pr.github.reviewers' is not a GitHub login");
      }
    }
    return new TaskSpec.Github(
        api.replaceAll("/+$", ""),
        repository,
        gh.string("server_id", "github"),
        reviewers,
        gh.bool("draft", false),
        true);
  }

  /**
   * A token variable in {@code generator.env} or {@code python.env}: etask never hands a token to a
   * child process, so the spec asks for something that cannot happen.
   */
  static void refuseTokens(YamlSection section, String key, List<String> names, SpecProblems p) {
    for (String name : names) {
      if (TaskSpec.TOKEN_VARIABLES.contains(name)) {
        p.error(
            section.valueNode(key),
            "'"
                + name
                + "' in '"
                + section.qualified(key)
                + "': etask never passes a token to the generator or the gates (the token is for"
                + " the git push and the PR only); remove it");
      }
    }
  }

  private static Map<String, String> stringMap(YamlSection sub) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : sub.keys()) {
      String v = sub.string(k, null);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }
}
