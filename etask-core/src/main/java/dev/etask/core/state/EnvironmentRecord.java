package dev.etask.core.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.etask.core.gates.GateSetup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What PREPARE found out about the repository and the machine, as state.json keeps it (its keys
 * inline there): the source and test folders, how the gates run, the tools' versions, the test
 * command's variables, the install's files, the sandbox.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class EnvironmentRecord {
  private List<String> sourceDirs = new ArrayList<>();
  private List<String> testDirs = new ArrayList<>();

  /**
   * The variables the project's test command sets (tox's set_env), as the base declares them: every
   * gate process gets them; null until the project is first inspected.
   */
  private Map<String, String> testEnvironment;

  /** The submodules the base declares that could not be fetched (their folders stay empty). */
  private List<String> submodulesMissing = new ArrayList<>();

  private Map<String, String> toolVersions = new LinkedHashMap<>();

  /** How the gates run on this repository (test runner, pytest configuration, lint rules). */
  private GateSetup gates;

  /**
   * The files the project's install wrote into the clone that git does not track (an editable
   * install's {@code *.egg-info}, an in-place {@code .so}, a generated version file), by path, with
   * the blob id of their content: they belong to etask, every other such file a batch or a test
   * makes is removed.
   */
  private Map<String, String> ownedFiles;

  /** Where the untrusted processes ran: {@code bubblewrap}, or {@code off} and why. */
  private String sandbox;

  public List<String> sourceDirs() {
    return List.copyOf(sourceDirs);
  }

  public List<String> testDirs() {
    return List.copyOf(testDirs);
  }

  public Map<String, String> testEnvironment() {
    return testEnvironment;
  }

  public List<String> submodulesMissing() {
    return List.copyOf(submodulesMissing);
  }

  public Map<String, String> toolVersions() {
    return java.util.Collections.unmodifiableMap(toolVersions);
  }

  public GateSetup gates() {
    return gates;
  }

  public Map<String, String> ownedFiles() {
    return ownedFiles;
  }

  public String sandbox() {
    return sandbox;
  }

  /**
   * The project as inspected: its folders and how the gates run on it; the test command's variables
   * only the first time (the base's: a batch's tox.ini never decides what the gates get).
   */
  public void detected(
      List<String> source, List<String> tests, GateSetup setup, Map<String, String> testEnv) {
    sourceDirs = new ArrayList<>(source);
    testDirs = new ArrayList<>(tests);
    gates = setup;
    if (testEnvironment == null) {
      testEnvironment = new java.util.TreeMap<>(testEnv);
    }
  }

  public void installed(Map<String, String> versions) {
    toolVersions = new LinkedHashMap<>(versions);
  }

  public void owned(Map<String, String> files) {
    ownedFiles = files;
  }

  public void submoduleMissing(String path) {
    submodulesMissing.add(path);
  }

  public void sandbox(String status) {
    sandbox = status;
  }
}
