package dev.etask.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etask.core.gates.GateReport;
import dev.etask.core.git.GitException;
import dev.etask.core.git.GitRepo;
import dev.etask.core.json.Json;
import dev.etask.core.state.RunState;
import dev.etask.core.workspace.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Measurements of a tree shared by every task and validation on this machine, under {@code
 * <cacheDir>/baselines/<key>/}. The key is a hash of everything the measurement depends on (the
 * tree, the environment, the gate settings); an entry is written once, in a folder of its own that
 * is renamed into place when complete, and every file is checked against the sums in its {@code
 * entry.json} before it is used. A damaged or half-written entry is ignored and measured again; the
 * cache is never a reason for a task to fail.
 */
public final class BaselineCache {
  /** Changes when what a measurement means changes: old entries are then never found. */
  static final String FORMAT = "etask-baseline-3";

  private static final String REPORT = "report.json";
  private static final String DATA = "data.coverage";
  private static final String ENTRY = "entry.json";

  private final Path dir;
  private final Listener out;
  private final dev.etask.core.process.Redactor redactor;

  /**
   * {@code cacheDir} null: no cache (every lookup misses, nothing is stored). Everything stored
   * goes through {@code redactor} first: the folder is shared and outlives the task.
   */
  public BaselineCache(Path cacheDir, Listener out, dev.etask.core.process.Redactor redactor) {
    this.dir = cacheDir == null ? null : cacheDir.resolve("baselines");
    this.out = out;
    this.redactor = redactor;
  }

  /** A measurement found in the cache: its report, its coverage data, and where it was measured. */
  public record Entry(GateReport report, Path coverageData, String root, String created) {}

  /** The key of a measurement: a hash of its inputs, in this order, as JSON. */
  public static String key(String tree, Object... inputs) {
    var array = CANONICAL.createArrayNode().add(FORMAT).add(tree);
    for (Object input : inputs) {
      array.add(CANONICAL.valueToTree(input));
    }
    return StateStore.sha256(array.toString().getBytes(StandardCharsets.UTF_8));
  }

  public boolean enabled() {
    return dir != null;
  }

  Path entry(String key) {
    return dir.resolve(key);
  }

  /** The entry under {@code key}, when it is whole; a damaged one is removed. */
  public Optional<Entry> find(String key) {
    if (dir == null) {
      return Optional.empty();
    }
    Path entry = dir.resolve(key);
    if (!Files.isDirectory(entry)) {
      return Optional.empty();
    }
    try {
      JsonNode meta = Json.MAPPER.readTree(entry.resolve(ENTRY).toFile());
      if (!key.equals(meta.path("key").asText())) {
        return damaged(entry, "it names another key");
      }
      byte[] report = Files.readAllBytes(entry.resolve(REPORT));
      if (!StateStore.sha256(report).equals(meta.path("report_sha256").asText())) {
        return damaged(entry, "its report is not what was written");
      }
      Path data = null;
      if (meta.hasNonNull("coverage_sha256")) {
        data = entry.resolve(DATA);
        if (!Files.isRegularFile(data)
            || !StateStore.sha256(Files.readAllBytes(data))
                .equals(meta.path("coverage_sha256").asText())) {
          return damaged(entry, "its coverage data is not what was written");
        }
      }
      GateReport parsed = Json.MAPPER.readValue(report, GateReport.class);
      return Optional.of(
          new Entry(parsed, data, meta.path("root").asText(), meta.path("created").asText()));
    } catch (IOException | RuntimeException e) {
      return damaged(entry, e.getMessage());
    }
  }

  /**
   * Stores a measurement made in {@code root} (its coverage data may be null). Another task storing
   * the same key at the same time is fine: the first complete entry stays.
   */
  public void put(String key, GateReport report, Path coverageData, Path root) {
    if (dir == null || !report.problems().isEmpty()) {
      return; // a measurement with a gate that could not run is not one to hand on
    }
    Path entry = dir.resolve(key);
    if (Files.isDirectory(entry)) {
      return;
    }
    Path tmp = dir.resolve(".tmp-" + key.substring(0, 12) + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(tmp);
      byte[] json = Json.MAPPER.writeValueAsBytes(redactor.redact(Json.MAPPER.valueToTree(report)));
      Files.write(tmp.resolve(REPORT), json);
      ObjectNode meta =
          Json.MAPPER
              .createObjectNode()
              .put("key", key)
              .put("format", FORMAT)
              .put("root", realPath(root))
              .put("created", Instant.now().toString())
              .put("report_sha256", StateStore.sha256(json));
      if (coverageData != null && Files.isRegularFile(coverageData)) {
        Files.copy(coverageData, tmp.resolve(DATA));
        meta.put("coverage_sha256", StateStore.sha256(Files.readAllBytes(tmp.resolve(DATA))));
      }
      Files.write(tmp.resolve(ENTRY), Json.MAPPER.writeValueAsBytes(meta));
      try {
        Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileSystemException e) {
        if (!Files.isDirectory(entry)) {
          throw e;
        }
        // another task stored the same measurement first
      }
    } catch (IOException | RuntimeException e) {
      out.warn("could not store the measurement in the cache " + dir + ": " + e.getMessage());
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Map entries in key order: the same inputs make the same key in every process. */
  private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL =
      Json.MAPPER
          .copy()
          .configure(
              com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * What the baseline depends on: the base's tree, the detected project, the environment and the
   * gate settings. Null when the tree cannot be read (then nothing is cached).
   */
  static String key(RunContext c) {
    return key(c, c.state().git().baseSha());
  }

  /**
   * What a measurement of commit {@code base} depends on, with the project detected on it and the
   * environment built for it (a base that moved while the task ran is looked up by the same key a
   * task starting on it would compute). Null when the tree cannot be read.
   */
  static String key(RunContext c, String base) {
    if (c.config().cacheDir() == null) {
      return null;
    }
    RunState state = c.state();
    try (GitRepo git = c.openClone()) {
      ObjectId tree = git.resolve(base + "^{tree}");
      if (tree == null) {
        return null;
      }
      return key(
          tree.name(),
          c.project(),
          state.env().gates(),
          state.env().toolVersions(),
          state.env().sourceDirs(),
          c.spec().python().interpreter(),
          gateVariables(c),
          // what a test could reach while it was measured
          c.sandboxing().status(),
          c.spec().qualityGates().network(),
          // which submodules' files the tests saw (their commits are the tree's)
          dev.etask.core.git.Submodules.checkedOut(c.ws().repo()));
    } catch (GitException e) {
      return null;
    }
  }

  /**
   * The variables {@code python.env} passes to the gates, with a digest of their values (a test
   * reads them: another value may measure otherwise; the value itself is never stored).
   */
  private static Map<String, String> gateVariables(RunContext c) {
    Map<String, String> passed = c.python().environments().forGates(c.spec().python().env());
    Map<String, String> out = new java.util.TreeMap<>();
    for (String name : c.spec().python().env()) {
      String v = name.contains("=") ? name : passed.get(name);
      out.put(name, v == null ? "(unset)" : StateStore.sha256(v.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  /**
   * Makes {@code entry} this task's report {@code name}: its report and coverage data in the store,
   * the data's file names those of the clone it was measured in (the next reader moves them to this
   * one). False, said, when its data cannot be copied (then it is measured again).
   */
  static boolean adopt(RunContext c, Entry entry, String name) {
    Path data = c.ws().reports().resolve(name + ".coverage");
    try {
      if (entry.coverageData() != null) {
        Files.copy(entry.coverageData(), data, StandardCopyOption.REPLACE_EXISTING);
      } else {
        Files.deleteIfExists(data);
      }
    } catch (IOException e) {
      c.out().warn("cannot use the cached measurement (" + e.getMessage() + "): measuring again");
      return false;
    }
    c.store().writeReport(name, entry.report());
    c.store().recordedIn(name, entry.root());
    return true;
  }

  /** Half-written entries of processes that died while storing: older than a day, removed. */
  void sweep() {
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    Instant dayAgo = Instant.now().minusSeconds(86_400);
    try (var children = Files.list(dir)) {
      for (Path p : children.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
        if (Files.getLastModifiedTime(p).toInstant().isBefore(dayAgo)) {
          deleteQuietly(p);
        }
      }
    } catch (IOException e) {
      // a sweep is housekeeping only
    }
  }

  /** Coverage records real paths: so must the root they are moved from. */
  private static String realPath(Path root) throws IOException {
    return Files.exists(root) ? root.toRealPath().toString() : root.toString();
  }

  private Optional<Entry> damaged(Path entry, String why) {
    out.warn(
        "ignored a damaged cache entry "
            + entry
            + " ("
            + why
            + "): measuring again, and the entry is replaced");
    // renamed away first, so no other task reads it half-deleted
    Path trash = entry.resolveSibling(".tmp-damaged-" + UUID.randomUUID());
    try {
      Files.move(entry, trash, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      return Optional.empty();
    }
    deleteQuietly(trash);
    return Optional.empty();
  }

  private static void deleteQuietly(Path p) {
    try {
      FileTrees.delete(p);
    } catch (IOException e) {
      // left for the next sweep
    }
  }
}
