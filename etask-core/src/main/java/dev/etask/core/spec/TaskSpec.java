package dev.etask.core.spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A task: one YAML file, validated. Relative paths resolve against {@link #specDir()}. {@code hash}
 * identifies what the spec says (its YAML normalised: keys sorted, comments, layout and the file's
 * place left out), so a run's state is refused by a changed spec and kept by a reformatted one.
 */
public record TaskSpec(
    Path file,
    String id,
    String branch,
    String objective,
    String type,
    List<String> informationalLabels,
    Repository repository,
    Target target,
    Strategy strategy,
    Generator generator,
    Python python,
    Limits limits,
    QualityGates qualityGates,
    OnTestFailure onTestFailure,
    Map<String, RuleOverride> rules,
    Git git,
    Pr pr,
    SandboxMode sandbox,
    String hash) {

  public Path specDir() {
    return file.toAbsolutePath().getParent();
  }

  /**
   * {@code url} null means the current repository's origin; {@code base} null means the origin's
   * HEAD.
   */
  public record Repository(String url, String base) {}

  /**
   * {@code writableTests}: new and changed files in the repository's detected test folders (and any
   * matching {@code git.test_files}) are writable too.
   */
  public record Target(
      List<Glob> include, List<Glob> exclude, List<Glob> writable, boolean writableTests) {}

  public enum BatchMode {
    SINGLE_FILE,
    PER_DIRECTORY,
    ALL,
    /** One batch per pinned dependency of the declaration files in target.include. */
    PER_DEPENDENCY
  }

  public record Strategy(BatchMode batchMode, int maxAttemptsPerBatch, int maxGeneratorFailures) {}

  /**
   * What changes a batch: {@code command} (the user's) or {@code builtin} (one of etask's
   * generators); {@code budget}: how long a built-in one explores one function; {@code tidy}:
   * whether ruff tidies the batch's files after it (null: when the repository configures ruff);
   * {@code network}: whether the generator may reach the network (a coding agent needs its API);
   * {@code mounts}: more folders (absolute, resolved against the spec's folder) the sandbox shows
   * it read-only.
   */
  public record Generator(
      String command,
      String builtin,
      Duration timeout,
      Duration budget,
      Boolean tidy,
      List<String> env,
      boolean network,
      List<Path> mounts,
      Llm llm) {}

  /**
   * {@code generator.llm}: an OpenAI-compatible chat-completions endpoint that writes the batch;
   * the key is read from the variable {@code apiKeyEnv}, never from the spec.
   */
  public record Llm(
      String baseUrl, String model, String apiKeyEnv, int maxTokens, double temperature) {}

  /**
   * Where the untrusted processes of a task run (the generator, every gate process): {@code auto}
   * in a bubblewrap sandbox when it works here, else as the user; {@code required} refuses to run
   * without it; {@code off} never uses it.
   */
  public enum SandboxMode {
    AUTO,
    REQUIRED,
    OFF
  }

  /**
   * {@code install} (pip arguments, already split into words) and {@code source} null mean "detect
   * from the repository"; {@code tools} holds only the versions the spec asks for (the rest comes
   * from the repository's pins or etask's defaults); {@code env} names the caller's variables the
   * gates may see.
   */
  public record Python(
      String interpreter,
      List<String> install,
      Map<String, String> tools,
      List<String> source,
      List<String> env) {}

  public record Limits(int maxCommits, Duration maxRuntime) {}

  public record QualityGates(
      boolean requireAllTestsPass,
      double minCoverageDelta,
      double coverageTolerance,
      boolean forbidNewTypeErrors,
      boolean forbidNewLintErrors,
      int maxDiffLines,
      int flakyReruns,
      boolean checkAssertions,
      boolean mutationCheck,
      Tests tests,
      Lint lint,
      Validation validation,
      boolean network,
      java.time.Duration testTimeout) {}

  /**
   * How a batch that only adds test files is validated: {@code incremental} runs its new tests
   * alone (the whole suite runs before anything is pushed), {@code full} runs the whole suite for
   * every batch.
   */
  public enum Validation {
    INCREMENTAL,
    FULL
  }

  /** How the repository's tests run: {@code auto} detects it from the repository. */
  public enum Runner {
    AUTO,
    PYTEST,
    UNITTEST
  }

  /**
   * {@code args}: extra arguments for the test runner (pytest's, or {@code python -m unittest}'s);
   * {@code parallel}: whether the whole suite runs in pytest-xdist workers: {@code project} (when
   * the project runs its suite so), {@code off}, {@code auto} (a worker per core) or a number.
   */
  public record Tests(Runner runner, List<String> args, String parallel) {
    public Tests(Runner runner, List<String> args) {
      this(runner, args, "project");
    }
  }

  /** {@code select}: the ruff rules to gate on; null means the repository's own ruff settings. */
  public record Lint(List<String> select) {}

  public enum OnTestFailure {
    ROLLBACK,
    KEEP
  }

  public enum Action {
    ROLLBACK,
    KEEP,
    SKIP,
    ABORT
  }

  /**
   * A rule book entry: for a built-in rule, null fields keep its default; a custom rule has a
   * {@code when} expression over the batch's metrics.
   */
  public record RuleOverride(Action action, String label, Expression when) {}

  /**
   * {@code revalidateAfterRebase}: the moved base is measured and the rebased tip validated against
   * it before the push; {@code rebaseAttempts}: how often a task follows a base that keeps moving
   * before it pushes what it verified last.
   */
  public record Git(
      String authorName,
      String authorEmail,
      List<Glob> testFiles,
      boolean revalidateAfterRebase,
      int rebaseAttempts) {}

  public enum Provider {
    AUTO,
    LOCAL,
    GITHUB,
    NONE
  }

  public record Pr(
      Provider provider,
      String titlePrefix,
      List<String> labels,
      boolean failurePr,
      List<Expression> highIf,
      List<Expression> mediumIf,
      Github github,
      Llm semanticReview,
      boolean addressReviews,
      int maxLines) {}

  /**
   * {@code pr.github}: the API (GitHub Enterprise: {@code https://HOST/api/v3}), the repository
   * when the origin URL does not say, the settings.xml server holding the token, reviewers, and
   * whether the PR opens as a draft; {@code configured} is true when the spec has the section.
   */
  public record Github(
      String apiUrl,
      String repository,
      String serverId,
      List<String> reviewers,
      boolean draft,
      boolean configured) {
    public static final String API = "https://api.github.com";

    public static Github defaults() {
      return new Github(API, null, "github", List.of(), false, false);
    }
  }

  /** The environment variables that hold tokens: never handed to the generator or the gates. */
  public static final java.util.Set<String> TOKEN_VARIABLES =
      java.util.Set.of("GH_TOKEN", "GITHUB_TOKEN", "ETASK_GITHUB_TOKEN", "ETASK_TOKEN");
}
