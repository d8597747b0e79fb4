package dev.etask.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.etask.core.json.Json;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Many tasks summed up (docs/ARCHITECTURE.md §9b, {@code etask:dashboard} and the end of {@code
 * etask:launch}): every {@code status.json} under a folder — local artifacts, or CI artifacts
 * downloaded from many runners — read into one row per task, the totals, and the seed's §12 figures
 * against their targets. A status file that is not JSON, of another schema version, or missing
 * fields is listed as unreadable with its path, never skipped. {@link DashboardPage} writes it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Dashboard(
    int schemaVersion,
    String generatedAt,
    String source,
    Totals totals,
    List<Figure> figures,
    List<Task> tasks,
    List<Unreadable> unreadable) {

  public static final int SCHEMA_VERSION = 1;

  /**
   * One task: {@code status} is ok, partial, risky (exit 2 without partial batches) or failed;
   * {@code why} says why a task failed or what it left; {@code path} is its status file.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Task(
      String id,
      String status,
      int exitCode,
      long commits,
      Integer testsPassed,
      Integer testsFailed,
      Double coverageBefore,
      Double coverageAfter,
      List<String> labels,
      String prUrl,
      Long durationSeconds,
      String why,
      boolean needsConflictResolution,
      boolean rebased,
      int batchesJudged,
      int firstTryPasses,
      String path) {}

  /** A status file the dashboard could not read, and why. */
  public record Unreadable(String path, String reason) {}

  /**
   * One of the seed's §12 figures: {@code met} is null when the figure has no pass mark here (not
   * measured, or a trend over weeks), never a pass by default.
   */
  public record Figure(String name, String value, String target, Boolean met) {}

  /** How many tasks ended how, and what they delivered. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Totals(
      int tasks, int ok, int partial, int risky, int failed, int unreadable, long commits) {}

  /** A task that has no status file to read (its spec did not load): its id, spec and why. */
  public record Missing(String id, Path spec, String why) {}

  /** Every {@code status.json} under {@code folder} (venvs, clones and {@code .git} skipped). */
  public static List<Path> statusFiles(Path folder) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        folder,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            boolean skip =
                !dir.equals(folder)
                    && (dir.getFileName().toString().equals(".git")
                        || Files.exists(dir.resolve(".git"))
                        || Files.exists(dir.resolve("pyvenv.cfg")));
            return skip ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (file.getFileName().toString().equals("status.json")) {
              out.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // an unreadable folder holds nothing we can list
          }
        });
    out.sort(null);
    return out;
  }

  /** The dashboard of {@code statusFiles} and of tasks that ended before they had one. */
  public static Dashboard of(String source, List<Path> statusFiles, List<Missing> missing) {
    List<Task> tasks = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    for (Path file : statusFiles) {
      try {
        tasks.add(task(file, read(file)));
      } catch (UnreadableException e) {
        unreadable.add(new Unreadable(file.toString(), e.getMessage()));
      }
    }
    for (Missing m : missing) {
      tasks.add(
          new Task(
              m.id(),
              "failed",
              1,
              0,
              null,
              null,
              null,
              null,
              List.of(),
              null,
              null,
              m.why(),
              false,
              false,
              0,
              0,
              m.spec().toString()));
    }
    tasks.sort(Comparator.comparing(Task::id).thenComparing(Task::path));
    return new Dashboard(
        SCHEMA_VERSION,
        Instant.now().toString(),
        source,
        totals(tasks, unreadable.size()),
        DashboardFigures.of(tasks),
        List.copyOf(tasks),
        List.copyOf(unreadable));
  }

  private static final class UnreadableException extends Exception {
    UnreadableException(String message) {
      super(message);
    }
  }

  /**
   * The file as a status document: JSON, this schema version, and every field {@code status.json}
   * always has (the fields of {@link StatusDocument} that are not optional).
   */
  private static StatusDocument read(Path file) throws UnreadableException {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UnreadableException("not JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw new UnreadableException("not a status document (a JSON object is expected)");
    }
    JsonNode version = node.get("schema_version");
    if (version == null || !version.isInt()) {
      throw new UnreadableException("no schema_version: not an etask status.json");
    }
    if (version.asInt() != StatusJson.SCHEMA_VERSION) {
      throw new UnreadableException(
          "schema version "
              + version.asInt()
              + " (this etask reads "
              + StatusJson.SCHEMA_VERSION
              + "): read it with the etask version that wrote it");
    }
    List<String> absent =
        StatusJson.requiredFields().stream().filter(f -> !node.has(f)).sorted().toList();
    if (!absent.isEmpty()) {
      throw new UnreadableException("missing fields: " + String.join(", ", absent));
    }
    try {
      return Json.MAPPER.treeToValue(node, StatusDocument.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new UnreadableException("a field has the wrong type: " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static Task task(Path file, StatusDocument s) throws UnreadableException {
    if (s.id() == null || s.batches() == null) {
      throw new UnreadableException("id or batches is null");
    }
    int judged = 0;
    int firstTry = 0;
    boolean rebased = false;
    for (StatusDocument.Batch b : s.batches()) {
      if (b.firstTryPass() != null) {
        judged++;
        firstTry += b.firstTryPass() ? 1 : 0;
      }
      rebased |= b.rebasedOnto() != null;
    }
    List<String> labels = s.labels() == null ? List.of() : s.labels();
    boolean conflicted =
        s.conflicts() != null && !s.conflicts().isEmpty() && labels.contains("needs-manual-review");
    return new Task(
        s.id(),
        status(s),
        s.exitCode(),
        s.commits(),
        s.testsPassed(),
        s.testsFailed(),
        s.coverageBefore(),
        s.coverageAfter(),
        labels,
        s.prUrl(),
        seconds(s.startedAt(), s.finishedAt()),
        why(s),
        conflicted,
        rebased,
        judged,
        firstTry,
        file.toString());
  }

  private static String status(StatusDocument s) {
    return switch (s.exitCode()) {
      case 0 -> "ok";
      case 2 -> s.partial() ? "partial" : "risky";
      default -> "failed";
    };
  }

  private static String why(StatusDocument s) {
    if (s.failure() != null) {
      return s.failure().message()
          + (s.failure().nextStep() == null ? "" : " Next: " + s.failure().nextStep());
    }
    return s.exitCode() == 0 ? null : s.summary();
  }

  private static Long seconds(String started, String finished) {
    if (started == null || finished == null) {
      return null;
    }
    try {
      return Duration.between(Instant.parse(started), Instant.parse(finished)).toSeconds();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Totals totals(List<Task> tasks, int unreadable) {
    return new Totals(
        tasks.size(),
        count(tasks, "ok"),
        count(tasks, "partial"),
        count(tasks, "risky"),
        count(tasks, "failed"),
        unreadable,
        tasks.stream().mapToLong(Task::commits).sum());
  }

  private static int count(List<Task> tasks, String status) {
    return (int) tasks.stream().filter(t -> Objects.equals(t.status(), status)).count();
  }
}
