package dev.etask.maven;

import dev.etask.core.git.LocalOrigins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.lib.PersonIdent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the process-driving tests share: a fixture origin made from the demo service, the test
 * generators beside the spec, and real Maven processes (the wrapper, the plugin from
 * target/local-repo).
 */
abstract class MavenProcesses {
  @TempDir Path dir;

  @BeforeEach
  void fixture() throws Exception {
    Path tasks = Path.of(System.getProperty("etask.it.tasksDir"));
    Path it = Path.of(System.getProperty("etask.it.itSources"));
    LocalOrigins.create(
        tasks.resolve("demo/sample-service"),
        dir.resolve("origin.git"),
        new PersonIdent("it", "it@example.com"));
    Files.copy(tasks.resolve("generators/characterize.py"), dir.resolve("characterize.py"));
    Files.copy(it.resolve("generators/behave.py"), dir.resolve("behave.py"));
  }

  void behaviours(String text) throws IOException {
    Files.writeString(dir.resolve("behaviours.txt"), text);
  }

  /**
   * Starts {@code mvnw <plugin>:<goal> -Detask.spec=task.yaml <args>} in the fixture folder, output
   * to {@code log}.
   */
  Process maven(String goal, Path log, Map<String, String> env, String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("-Detask.spec=task.yaml"));
    all.addAll(List.of(args));
    return mavenIn(dir, goal, log, env, all.toArray(String[]::new));
  }

  /** Starts {@code mvnw <plugin>:<goal> <args>} in {@code where}, output to {@code log}. */
  Process mavenIn(Path where, String goal, Path log, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                System.getProperty("etask.it.mvnw"),
                "-B",
                "-Dmaven.repo.local=" + System.getProperty("etask.it.localRepo"),
                System.getProperty("etask.it.plugin") + ":" + goal));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(where.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("MAVEN_OPTS", "-Duser.home=" + dir.resolve("home"));
    pb.environment().put("XDG_CACHE_HOME", dir.resolve("home/.cache").toString());
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Runs {@code p} to the end (at most five minutes) and returns its exit value. */
  static int toTheEnd(Process p, Path log) throws Exception {
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("Maven did not finish in 5 minutes:\n" + read(log));
    }
    return p.exitValue();
  }

  /** Runs Maven to the end (at most five minutes) and returns its exit value. */
  int mavenToTheEnd(String goal, Path log, Map<String, String> env, String... args)
      throws Exception {
    return toTheEnd(maven(goal, log, env, args), log);
  }

  /** git in {@code where}, never the user's configuration. */
  String git(Path where, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("git"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(where.toFile()).redirectErrorStream(true);
    pb.environment().put("HOME", dir.resolve("git-home").toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError("git " + String.join(" ", args) + " failed: " + out);
    }
    return out.strip();
  }

  static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Every regular file under {@code root}. */
  static List<Path> filesUnder(Path root) throws IOException {
    try (var files = Files.walk(root)) {
      return new ArrayList<>(files.filter(Files::isRegularFile).toList());
    }
  }

  /**
   * Where any of {@code canaries} shows, plain, URL-encoded or base64 at any alignment (so also
   * inside {@code base64("user:" + token)}): in {@code files} or in any object of {@code repos}.
   */
  static List<String> leaks(List<String> canaries, List<Path> files, List<Path> repos)
      throws Exception {
    List<String> forms = new ArrayList<>();
    for (String c : canaries) {
      forms.add(c);
      forms.add(java.net.URLEncoder.encode(c, StandardCharsets.UTF_8));
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      for (int align = 0; align < 3; align++) {
        byte[] padded = new byte[align + b.length];
        System.arraycopy(b, 0, padded, align, b.length);
        String b64 = java.util.Base64.getEncoder().withoutPadding().encodeToString(padded);
        forms.add(b64.substring((align * 8 + 5) / 6, padded.length * 8 / 6));
      }
    }
    List<String> leaks = new ArrayList<>();
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String form : forms) {
        if (text.contains(form)) {
          leaks.add(f + " holds " + form);
        }
      }
    }
    for (Path repo : repos) {
      String objects = allObjects(repo);
      for (String form : forms) {
        if (objects.contains(form)) {
          leaks.add("a git object in " + repo + " holds " + form);
        }
      }
    }
    return leaks;
  }

  private static String allObjects(Path repo) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("git", "cat-file", "--batch-all-objects", "--batch")
            .directory(repo.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
    Process p = pb.start();
    p.getOutputStream().close();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (p.waitFor() != 0 || out.size() < 1000) {
      throw new AssertionError("cannot read the objects of " + repo + ": " + out);
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
