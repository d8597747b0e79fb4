package dev.etask.core.spec;

/**
 * A failure that stops a task, with a code for FAILURE.md and status.json and a next step that
 * tells the user what to do. The message is one paragraph a person can act on.
 */
public class EtaskException extends RuntimeException {

  /** Why a task stopped; the names appear in FAILURE.md and status.json. */
  public enum Code {
    SPEC_INVALID,
    TASK_LOCKED,
    STATE_MISMATCH,
    /** state.json or a report cannot be read. */
    STATE_UNREADABLE,
    /** A goal ran before the goals it needs (analyze before prepare, …). */
    NOT_PREPARED,
    CLONE_FAILED,
    BRANCH_TAKEN,
    ENV_FAILED,
    BASELINE_FAILED,
    NO_TARGETS,
    GENERATOR_FAILED,
    PUSH_FAILED,
    PR_FAILED,
    /** The PR provider needs a token and none was found. */
    TOKEN_MISSING,
    /** The token was refused, or may not push or open pull requests. */
    TOKEN_REJECTED,
    /** The PR provider cannot see the repository. */
    REPOSITORY_NOT_FOUND,
    /** Maven runs offline and the task needs the network. */
    OFFLINE,
    /** Every batch was rejected: nothing to deliver. */
    NOTHING_ACCEPTED,
    /** A branch of the origin was pushed from the task's clone by something other than etask. */
    GENERATOR_PUSHED,
    /** A git lock file in the clone is held by a running process. */
    REPO_LOCKED,
    /** A report etask wrote was changed by something else. */
    REPORT_TAMPERED,
    /** {@code sandbox: required}, and the sandbox cannot start on this machine. */
    SANDBOX_UNAVAILABLE,
    IO_FAILED
  }

  private final Code code;
  private final String nextStep;

  public EtaskException(Code code, String message, String nextStep) {
    this(code, message, nextStep, null);
  }

  public EtaskException(Code code, String message, String nextStep, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.nextStep = nextStep;
  }

  public Code code() {
    return code;
  }

  public String nextStep() {
    return nextStep;
  }
}
