package dev.etask.core.gates;

import dev.etask.core.workspace.AtomicFiles;
import dev.etask.core.workspace.PythonEnvironment;
import dev.etask.core.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The test runner's command line, the same for the full suite and for named files: pytest always
 * with the repository root as rootdir and the root configuration file (an empty one when the
 * repository has none, so no configuration from a sub-folder or from above the clone applies), or
 * {@code python -m unittest} through etask's JUnit reporter. Both report JUnit XML and use pytest's
 * exit statuses (0 passed, 1 failed, 2 interrupted or collection errors, 5 no tests).
 */
final class TestCommand {
  private final GateSetup setup;
  private final Workspace workspace;
  private final PythonEnvironment python;

  TestCommand(GateSetup setup, Workspace workspace, PythonEnvironment python) {
    this.setup = setup;
    this.workspace = workspace;
    this.python = python;
  }

  String runnerName() {
    return setup.runner().display();
  }

  boolean pytest() {
    return setup.runner() == GateSetup.Runner.PYTEST;
  }

  /** pytest's own arguments in a pytest command of this class: what follows {@code -m pytest}. */
  static List<String> pytestArgs(List<String> command) {
    return command.subList(2, command.size());
  }

  /** What follows {@code python} (or {@code coverage run}) to run the whole suite. */
  List<String> suite(Path junit, boolean noCov) {
    List<String> argv = runner(junit);
    if (setup.runner() == GateSetup.Runner.PYTEST && noCov) {
      argv.add(
          "--no-cov"); // the repository's --cov options would otherwise take the measurement from
      // us
    }
    argv.addAll(setup.runnerArgs());
    serial(argv);
    return argv;
  }

  /**
   * The whole suite in {@code workers} pytest-xdist workers, measured by pytest-cov (no {@code
   * --no-cov}): what follows {@code python}.
   */
  List<String> parallelSuite(Path junit, String workers) {
    List<String> argv = runner(junit);
    argv.addAll(setup.runnerArgs());
    argv.addAll(List.of("-n", workers));
    return argv;
  }

  /**
   * With pytest-xdist installed, pytest runs the tests in this process ({@code -n 0}, after the
   * project's {@code addopts} and arguments, so it wins): coverage measures this process, and an
   * {@code -n auto} of the project's would otherwise run them in workers nobody measures (a
   * coverage of 0 %).
   */
  private void serial(List<String> argv) {
    if (setup.runner() == GateSetup.Runner.PYTEST && installed("xdist")) {
      argv.addAll(List.of("-n", "0"));
    }
  }

  /**
   * Whether the venv's site-packages has the package or module {@code name} (asked every time: a
   * batch that changes the dependencies gets an environment of its own).
   */
  boolean installed(String name) {
    Path lib = python.python().getParent().getParent().resolve("lib");
    try (var dirs = Files.newDirectoryStream(lib, "python*")) {
      for (Path d : dirs) {
        Path site = d.resolve("site-packages");
        if (Files.isDirectory(site.resolve(name))
            || Files.isRegularFile(site.resolve(name + ".py"))) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** What follows {@code python} to run only the tests in {@code files}. */
  List<String> named(Path junit, List<String> files) {
    return named(junit, files, false);
  }

  /** The same, under {@code coverage run} when {@code noCov} (pytest-cov must keep out). */
  List<String> named(Path junit, List<String> files, boolean noCov) {
    List<String> argv = runner(junit);
    if (setup.runner() == GateSetup.Runner.UNITTEST) {
      // found as the project's discovery finds them: the same module names, packages and imports
      argv.addAll(List.of("--named", unittestTopLevel(setup.runnerArgs())));
    } else {
      if (noCov) {
        argv.add("--no-cov");
      }
      // the suite's options (an --import-mode changes how the files import), not its paths
      argv.addAll(options(setup.runnerArgs(), workspace.repo()));
      serial(argv);
    }
    argv.addAll(files);
    return argv;
  }

  /** pytest's options that take their value as the next argument. */
  private static final java.util.Set<String> TAKES_VALUE =
      java.util.Set.of(
          "-k",
          "-m",
          "-p",
          "-c",
          "-o",
          "-W",
          "-n",
          "--import-mode",
          "--rootdir",
          "--ignore",
          "--ignore-glob",
          "--deselect",
          "--durations",
          "--maxfail",
          "--tb",
          "--dist",
          "--timeout",
          "--basetemp",
          "--log-level",
          "--override-ini",
          "--confcutdir",
          "--cov",
          "--cov-report",
          "--cov-config",
          "--junitxml",
          "--pythonwarnings",
          "--capture",
          "--numprocesses",
          "--reruns",
          "--randomly-seed");

  /**
   * {@code args} without the paths that say which tests run (a positional argument that names a
   * file or folder of the repository, {@code ::} ids included); the values of options stay.
   */
  static List<String> options(List<String> args, Path repo) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      boolean value = i > 0 && TAKES_VALUE.contains(args.get(i - 1));
      String path = a.contains("::") ? a.substring(0, a.indexOf("::")) : a;
      if (!value && !a.startsWith("-") && !path.isEmpty() && Files.exists(repo.resolve(path))) {
        continue;
      }
      out.add(a);
    }
    return out;
  }

  /**
   * The top-level folder of the project's unittest discovery ({@code -t}, else {@code -s}, else the
   * repository's root) when its command discovers tests; the root otherwise.
   */
  static String unittestTopLevel(List<String> args) {
    if (!args.isEmpty() && !args.get(0).equals("discover") && !args.get(0).startsWith("-")) {
      return "."; // named modules: nothing is discovered
    }
    String start = ".";
    String top = null;
    List<String> positional = new ArrayList<>(); // discover [START [PATTERN [TOP]]]
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (i == 0 && a.equals("discover")) {
        continue;
      }
      String value = i + 1 < args.size() ? args.get(i + 1) : null;
      if ((a.equals("-s") || a.equals("--start-directory")) && value != null) {
        start = value;
        i++;
      } else if ((a.equals("-t") || a.equals("--top-level-directory")) && value != null) {
        top = value;
        i++;
      } else if ((a.equals("-p") || a.equals("--pattern") || a.equals("-k")) && value != null) {
        i++;
      } else if (a.startsWith("--start-directory=")) {
        start = a.substring(a.indexOf('=') + 1);
      } else if (a.startsWith("--top-level-directory=")) {
        top = a.substring(a.indexOf('=') + 1);
      } else if (!a.startsWith("-")) {
        positional.add(a);
      }
    }
    if (!positional.isEmpty()) {
      start = positional.get(0);
    }
    if (positional.size() > 2) {
      top = positional.get(2);
    }
    return top != null ? top : start;
  }

  private List<String> runner(Path junit) {
    List<String> argv = new ArrayList<>();
    if (setup.runner() == GateSetup.Runner.UNITTEST) {
      argv.add(python.script("unittest_junit.py").toString());
      if (setup.testTimeout() > 0) {
        argv.add("--timeout=" + setup.testTimeout()); // an alarm per test
      }
      argv.add(junit.toString());
      return argv;
    }
    Path repo = workspace.repo();
    argv.addAll(
        List.of(
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--color=no", // the failure text goes into reports, prompts and PRs (addopts may say
            // yes)
            "--junitxml=" + junit,
            "-o",
            "junit_family=xunit2",
            "--rootdir=" + repo,
            "-c",
            config().toString(),
            "--confcutdir=" + repo));
    if (setup.testTimeout() > 0 && installed("pytest_timeout")) {
      // a test that hangs fails, the suite goes on (after the project's own timeout settings)
      argv.addAll(List.of("--timeout=" + setup.testTimeout(), "--timeout-method=signal"));
    }
    return argv;
  }

  private Path config() {
    if (setup.pytestConfig() != null
        && Files.isRegularFile(workspace.repo().resolve(setup.pytestConfig()))) {
      return workspace.repo().resolve(setup.pytestConfig());
    }
    Path empty = workspace.helpers().resolve("pytest-none").resolve("pytest.ini");
    try {
      if (!Files.exists(empty)) {
        AtomicFiles.write(empty, "[pytest]\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return empty;
  }
}
