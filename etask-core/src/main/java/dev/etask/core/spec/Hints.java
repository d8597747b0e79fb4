package dev.etask.core.spec;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Every "Next:" text of etask's errors, in one place (as Jib's {@code HelpfulSuggestions}): what
 * the user can do now, the command written as they ran etask. Every {@link EtaskException} takes
 * its next step from here, or passes on one an earlier error or check gave (HintsTest checks both).
 * Static texts need nothing; the ones that name a goal come from an instance made with how the user
 * runs etask.
 */
public final class Hints {
  private final UnaryOperator<String> command;

  /** {@code command}: a goal ({@code clean}, {@code run}, …) → the command that runs it. */
  public Hints(UnaryOperator<String> command) {
    this.command = command;
  }

  /** The command that runs {@code goal} on this task, as the user started etask. */
  public String command(String goal) {
    return command.apply(goal);
  }

  public String startOver() {
    return "start over with " + command("clean");
  }

  public String cleanAndRetry() {
    return "run " + command("clean") + " and try again";
  }

  public String prepareFirst() {
    return "run " + command("prepare") + " first (or " + command("run") + " for the whole task)";
  }

  public String analyzeFirst() {
    return "run " + command("analyze") + " first (or " + command("run") + " for the whole task)";
  }

  public String generatorPushed() {
    return "look at that commit on the origin and revert it there if it must go; fix the generator so it never"
        + " pushes; then "
        + startOver();
  }

  public String revertSpec() {
    return "revert the spec, or " + startOver();
  }

  public String reportsChanged(Path reports) {
    return "check what writes into " + reports + ", then " + startOver();
  }

  // ---- the file system

  public static String disk(String what) {
    return "check the disk and the permissions of " + what;
  }

  public static String workDir() {
    return disk("etask.workDir");
  }

  public static String artifactsDir() {
    return disk("etask.artifactsDir");
  }

  public static String workFolder() {
    return "check the disk and permissions of the work folder";
  }

  public static String permissions(Path folder, String andOf) {
    return "check the permissions of " + folder + " and of " + andOf;
  }

  public static String removeByHand() {
    return "remove the folder by hand";
  }

  public static String removeLinkByHand(Path link) {
    return "remove the link " + link + " by hand";
  }

  public static String removeThenRunAgain() {
    return "remove it by hand, then run the task again";
  }

  public static String artifactsOutside(Path defaultFolder, Path workDir) {
    return "leave etask.artifactsDir out (it is then "
        + defaultFolder
        + "), or choose a folder outside "
        + workDir;
  }

  public static String linkInWorkDir() {
    return "remove the link, or choose another etask.workDir";
  }

  public static String anotherWorkDir() {
    return "choose another etask.workDir (default target/etask), or give the task another id";
  }

  public static String anotherId() {
    return "give the task another id, or choose another etask.workDir";
  }

  // ---- other runs and processes

  public static String waitFor(String what) {
    return "wait for " + what + " to finish";
  }

  public static String waitBeforeCleaning() {
    return "wait for that run to finish before cleaning";
  }

  public static String gitLock(Path repo) {
    return "when no git process runs in " + repo + ", remove the file and run the task again";
  }

  public static String stopProcess(String pid) {
    return "let that process finish or stop it (kill " + pid + "), then run the task again";
  }

  public static String runAgainResumes() {
    return "run the same command again: every task resumes";
  }

  public static String tryAgain() {
    return "try again";
  }

  public static String bug() {
    return "report this as an etask bug";
  }

  public static String bug(Path trace) {
    return "report this as an etask bug with " + trace;
  }

  /** {@code next}, and why: a log to read, a check to run first. */
  public static String withLog(String next, Path log) {
    return next + " (log: " + log + ")";
  }

  public static String thenRunAgain(String next, Path log) {
    return next + "; then run the task again (log: " + log + ")";
  }

  public static String network(String next, boolean network) {
    return next + (network ? " (this looks like a network problem)" : "");
  }

  // ---- the spec and the command line

  public static String targetInclude(Path spec) {
    return "fix target.include in "
        + spec
        + "; globs are relative to the repository root, '**' crosses folders";
  }

  public static String onlineOnce() {
    return "run once without -o so uv's cache holds the packages (later offline runs install from"
        + " it), or run without -o";
  }

  public static String online() {
    return "run without -o (offline): the package index must be reachable";
  }

  public static String dependencyFiles(Path spec) {
    return "list the files that pin the dependencies (requirements*.txt, pyproject.toml with"
        + " name==version pins) in target.include of "
        + spec
        + ", or use another batch_mode";
  }

  public static String packageIndex() {
    return "check that the package index pip and uv use (index-url, PIP_INDEX_URL or UV_INDEX_URL;"
        + " PyPI when none is set) answers from this machine, then run again";
  }

  public static String repositoryUrl(Path spec) {
    return "set repository.url in " + spec;
  }

  public static String relativeUrl(Path specDir) {
    return "relative paths resolve against the spec's folder " + specDir + "; fix repository.url";
  }

  public static String urlIsARepository() {
    return "point repository.url at a git repository";
  }

  public static String originReachable() {
    return "check repository.url and that the origin is reachable";
  }

  public static String fetchable() {
    return "check that the origin is reachable";
  }

  public static String reachable(String branch) {
    return "check that the origin is reachable and accepts pushes to " + branch;
  }

  public static String commitKept(String branch, Path repo) {
    return reachable(branch) + "; the commit is kept in " + repo + " and the next run pushes it";
  }

  public static String setBase() {
    return "set repository.base in the task spec";
  }

  public static String baseExists() {
    return "set repository.base to one of the origin's branches";
  }

  public static String taskId() {
    return "pass the id of a task (the 'id:' of its spec), or -Detask.spec=path/to/task.yaml";
  }

  public static String checkWorkFolder() {
    return "check the work folder (etask.workDir)";
  }

  public static String idAndWorkDir() {
    return "check -Detask.id and -Detask.workDir, or remove the folder by hand if it can go";
  }

  public static String llmKey(String variable) {
    return "export "
        + variable
        + "=<your key> before running (or name another variable in generator.llm.api_key_env);"
        + " etask sends it only to generator.llm.base_url";
  }

  public static String tasksParameter() {
    return "set -Detask.tasks=tasks/ (a folder of task specs) or a glob such as 'tasks/*.yaml'";
  }

  public static String tasksFolder() {
    return "check the folder";
  }

  public static String tasksMatchNone() {
    return "point -Detask.tasks at a folder of task specs or a glob that matches some";
  }

  public static String sandboxValue() {
    return "use -Detask.sandbox=auto, required or off (or leave it out: the spec's sandbox: then"
        + " decides)";
  }

  public static String sandboxRequired() {
    return "install bubblewrap (apt-get install bubblewrap) and leave -Detask.sandbox out (the"
        + " spec's sandbox: required decides), or use generator.builtin: crosshair";
  }

  public static String foreignInterpreter() {
    return "its interpreter needs files outside the folders the sandbox shows (a Nix or Homebrew"
        + " Python?): set python.interpreter to another Python, or run with -Detask.sandbox=off";
  }

  public static String withoutSandbox(String fix) {
    return fix + "; or run with -Detask.sandbox=auto to go on without it";
  }

  // ---- validate by hand

  public static String validateInARepository() {
    return "run etask:validate in a git repository, or pass -Detask.spec to validate a task's batch";
  }

  public static String readableCheckout(Path checkout, boolean missingObjects) {
    return missingObjects
        ? "fetch the missing objects (git fetch --refetch, or clone without --filter) and"
            + " run etask:validate again"
        : "check that " + checkout + " is a git checkout you can read (git status)";
  }

  // ---- the generator and the rules

  public static String generatorFailed(boolean hidden, Path logs) {
    return hidden
        ? "the generator needs a file the sandbox does not show it: put it beside the spec"
            + " ({spec_dir} in generator.command) or list its folder in generator.mounts,"
            + " then run the task again"
        : "run the generator by hand on one file (see the batch logs in "
            + logs
            + ") and fix it, then run the task again";
  }

  public static String nothingAccepted(Path logs) {
    return "read each batch's decision and reason in status.json and its log in "
        + logs
        + "; fix the generator or relax the rules (quality_gates, rules) and run the task again";
  }

  // ---- Python

  public static String interpreter(String interpreter) {
    return "check that '"
        + interpreter
        + "' is a working Python 3 (set python.interpreter in the task spec)";
  }

  /** The same, {@code offline}: Maven runs with -o. */
  public static String venvModule(String interpreter, Path log, boolean offline) {
    return offline ? onlineOnce() : venvModule(interpreter, log);
  }

  public static String venvModule(String interpreter, Path log) {
    return "check that '"
        + interpreter
        + "' has the venv module (Debian: apt-get install python3-venv); log: "
        + log;
  }

  public static String generatorTools(Path log) {
    return "check that the package index serves the built-in generator's tools (pip.conf, PIP_*),"
        + " or run a command of yours (generator.command with 'builtin: null'); log: "
        + log;
  }

  /** The same, {@code offline}: Maven runs with -o. */
  public static String install(Path log, boolean offline) {
    return offline ? onlineOnce() : install(log);
  }

  public static String install(Path log) {
    return "fix python.install / python.tools in the task spec, or the package index settings"
        + " (pip.conf, PIP_*); log: "
        + log;
  }

  public static String rebuildEnvironment() {
    return "run ./mvnw etask:clean for this task to rebuild its environment";
  }

  // ---- pull requests

  public static String githubRepository() {
    return "set pr.github.repository: owner/name in the task spec";
  }

  public static String offlineGitHub() {
    return "run without -o, or point repository.url at a local repository and use pr.provider: local";
  }

  public static String token(String repository, String server) {
    return "give etask a token that may push to "
        + repository
        + " and open pull requests (fine-grained: Contents and Pull requests, read and write;"
        + " classic: repo), in one of: the settings.xml <server> '"
        + server
        + "' (its <password>, may be encrypted), GH_TOKEN, GITHUB_TOKEN. To run without"
        + " GitHub, set pr.provider: local (the PR is then a record in the task's artifacts)";
  }

  public static String tokenWrong() {
    return "the token is wrong or expired: make a new one and put it in settings.xml (server"
        + " pr.github.server_id), GH_TOKEN or GITHUB_TOKEN";
  }

  public static String tokenScopes(String repository) {
    return "give the token Contents: write and Pull requests: write on "
        + repository
        + " (fine-grained), or the repo scope (classic); in GitHub Actions, grant"
        + " 'contents: write' and 'pull-requests: write' under permissions";
  }

  public static String repositoryAccess() {
    return "check pr.github.repository (or the origin URL) and pr.github.api_url, and that the"
        + " token has access to the repository";
  }

  public static String prLater() {
    return "run the pr goal again later (etask:pr); the branch is pushed";
  }
}
