package dev.etask.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.contains;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import dev.etask.core.engine.Engine;
import dev.etask.core.state.Outcome;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.maven.api.plugin.testing.InjectMojo;
import org.apache.maven.api.plugin.testing.MojoParameter;
import org.apache.maven.api.plugin.testing.MojoTest;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.Log;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Mojos as Maven makes them (plugin.xml, a project's {@code <configuration>}, {@code -D}
 * properties), in the plugin testing harness: parameter binding, the skip flags, and how a task's
 * exit code becomes the build's result.
 */
@MojoTest
class MojoHarnessTest {
  private static final String POM = "classpath:/dev/etask/maven/harness/pom.xml";

  /** The session the harness gives every mojo (a mock with real user properties). */
  @Inject MavenSession session;

  @TempDir Path tmp;

  /** Where Maven runs: the mock session has none, and {@code workDir}'s default is made of it. */
  @BeforeEach
  void executionRoot() {
    lenient().when(session.getExecutionRootDirectory()).thenReturn(tmp.toString());
  }

  @Test
  @InjectMojo(goal = "run", pom = POM)
  void theProjectsConfigurationBindsTheParameters(RunMojo mojo) {
    assertThat(mojo.spec).isEqualTo(new File(MojoHarnessTest.basedir(), "tasks/add-tests.yaml"));
    assertThat(mojo.workDir).isEqualTo(new File(MojoHarnessTest.basedir(), "target/etask-harness"));
    assertThat(mojo.failOnRisk).isTrue();
    assertThat(mojo.dryRun).isTrue();
    assertThat(mojo.skip).isFalse();
    assertThat(mojo.sandboxMode()).isEqualTo(dev.etask.core.spec.TaskSpec.SandboxMode.OFF);
    assertThat(mojo.artifactsDir).isNull();
    assertThat(mojo.session).isSameAs(session);
    assertThat(mojo.mojoExecution.getGoal()).isEqualTo("run");
    assertThat(mojo.settingsDecrypter).isNotNull();
  }

  @Test
  @InjectMojo(goal = "pr", pom = POM)
  @MojoParameter(name = "failOnRisk", value = "false")
  @MojoParameter(name = "artifactsDir", value = "${project.build.directory}/out")
  void aParameterOverridesThePom(PrMojo mojo) {
    assertThat(mojo.failOnRisk).isFalse();
    assertThat(mojo.dryRun).isTrue();
    assertThat(mojo.artifactsDir).isEqualTo(new File(MojoHarnessTest.basedir(), "target/out"));
    assertThat(mojo.mojoExecution.getGoal()).isEqualTo("pr");
  }

  @Test
  @InjectMojo(goal = "run")
  void theDefaultsWithoutConfiguration(RunMojo mojo) {
    assertThat(mojo.spec).isNull();
    assertThat(mojo.failOnRisk).isFalse();
    assertThat(mojo.dryRun).isFalse();
    assertThat(mojo.skip).isFalse();
    assertThat(mojo.workDir).isEqualTo(tmp.resolve("target/etask").toFile());
    assertThat(mojo.runDir()).isEqualTo(tmp);
  }

  @Test
  @InjectMojo(goal = "run", pom = POM)
  @MojoParameter(name = "skip", value = "true")
  void skipReturnsBeforeAnything(RunMojo mojo) throws Exception {
    mojo.spec = null; // without skip: "No task spec given"

    mojo.execute();

    Log log = mojo.getLog();
    verify(log).info("etask: skipped (etask.skip)");
    verify(log, never()).warn(anyString());
    assertThat(mojo.workDir).doesNotExist();
  }

  @Test
  @InjectMojo(goal = "run")
  void theGoalsSkipPropertySkipsThatGoal(RunMojo mojo) throws Exception {
    session.getUserProperties().setProperty("etask.run.skip", "true");

    mojo.execute(); // no spec: it would fail if it ran

    verify(mojo.getLog()).info("etask:run: skipped (etask.run.skip)");
  }

  @Test
  @InjectMojo(goal = "run")
  void theGoalsSkipPropertyInTheProjectsProperties(RunMojo mojo) throws Exception {
    session.getCurrentProject().getProperties().setProperty("etask.run.skip", "true");

    mojo.execute();

    verify(mojo.getLog()).info("etask:run: skipped (etask.run.skip)");
  }

  @Test
  @InjectMojo(goal = "run")
  void anotherGoalsSkipPropertyDoesNotSkipThisOne(RunMojo mojo) {
    session.getUserProperties().setProperty("etask.pr.skip", "true");

    assertThatThrownBy(mojo::execute)
        .isInstanceOf(MojoFailureException.class)
        .hasMessageStartingWith("No task spec given");
    verify(mojo.getLog(), never()).info(contains("skipped"));
  }

  @Test
  @InjectMojo(goal = "run")
  void exitZeroConcludesQuietly(RunMojo mojo) throws Exception {
    try (Engine engine = open(mojo)) {
      mojo.conclude(engine, outcome(0, "3 batches committed"));
    }
    verify(mojo.getLog(), never()).warn(anyString());
    verify(mojo.getLog()).info(contains("(exit_code 0)"));
  }

  @Test
  @InjectMojo(goal = "run")
  void exitTwoWarns(RunMojo mojo) throws Exception {
    try (Engine engine = open(mojo)) {
      mojo.conclude(engine, outcome(2, "1 of 3 batches committed"));
    }
    verify(mojo.getLog())
        .warn("etask task 'harness' is partial or risky (exit code 2): 1 of 3 batches committed");
  }

  @Test
  @InjectMojo(goal = "run")
  @MojoParameter(name = "failOnRisk", value = "true")
  void exitTwoFailsWithFailOnRisk(RunMojo mojo) throws Exception {
    try (Engine engine = open(mojo)) {
      assertThatThrownBy(() -> mojo.conclude(engine, outcome(2, "1 of 3 batches committed")))
          .isInstanceOf(MojoFailureException.class)
          .hasMessage(
              "etask task 'harness' is partial or risky (exit code 2): 1 of 3 batches committed."
                  + " Failing because of -Detask.failOnRisk.");
    }
    verify(mojo.getLog(), never()).warn(anyString());
  }

  @Test
  @InjectMojo(goal = "run")
  void exitOneFailsNamingFailureMd(RunMojo mojo) throws Exception {
    try (Engine engine = open(mojo)) {
      Path failure = engine.workspace().failureFile();
      assertThat(failure.getFileName()).hasToString("FAILURE.md");
      assertThatThrownBy(() -> mojo.conclude(engine, outcome(1, "the baseline fails")))
          .isInstanceOf(MojoFailureException.class)
          .hasMessage(
              "etask task 'harness' failed: the baseline fails. See "
                  + failure
                  + " and "
                  + engine.workspace().statusFile()
                  + ".");
    }
  }

  /**
   * The mojo's own engine ({@code open()}: its config, its listener) on a spec that is only loaded:
   * opening makes the workspace and takes the lock, nothing is cloned or run.
   */
  private Engine open(AbstractEtaskMojo mojo) throws Exception {
    Path spec = tmp.resolve("task.yaml");
    Files.copy(resource("harness/task.yaml"), spec);
    mojo.spec = spec.toFile();
    mojo.workDir = tmp.resolve("work").toFile();
    mojo.cacheDir = tmp.resolve("cache").toFile();
    return mojo.open();
  }

  private static Outcome outcome(int exitCode, String summary) {
    return new Outcome(
        exitCode, exitCode == 2, 0, "low", List.of(), List.of(), 0, Map.of(), summary);
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(MojoHarnessTest.class.getResource(name).toURI());
  }

  private static String basedir() {
    return org.apache.maven.api.plugin.testing.MojoExtension.getBasedir();
  }
}
