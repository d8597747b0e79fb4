package dev.etask.core.pr;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.etask.core.json.Json;
import dev.etask.core.workspace.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The embedded default: the branch is already on the origin; the PR is a record ({@code pr.json})
 * and a body ({@code pr.md}) in the task's artifacts, which a person or a script can act on.
 */
public final class LocalProvider implements PullRequestProvider {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final Path folder;
  private final String origin;
  private final String name;

  /** The task's PR: {@code pr.json} and {@code pr.md} in {@code folder}. */
  public LocalProvider(Path folder, String origin) {
    this(folder, origin, "pr");
  }

  /**
   * A PR recorded as {@code <name>.json} and {@code <name>.md} (the failure PR is {@code pr-fail}).
   */
  public LocalProvider(Path folder, String origin, String name) {
    this.folder = folder;
    this.origin = origin;
    this.name = name;
  }

  @Override
  public String name() {
    return "local";
  }

  /**
   * {@code comments.md} beside the record: comments separated by lines of {@code ---}; a comment
   * whose first line is {@code file: PATH} is on that file. Its id is a hash of its text.
   */
  @Override
  public java.util.List<Comment> comments(int number) throws IOException {
    Path file = folder.resolve("comments.md");
    java.util.List<Comment> out = new java.util.ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    String text = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
    for (String block : text.split("(?m)^---\\s*$")) {
      String body = block.strip();
      if (body.isEmpty()) {
        continue;
      }
      String path = null;
      if (body.startsWith("file:")) {
        int nl = body.indexOf('\n');
        path = (nl < 0 ? body.substring(5) : body.substring(5, nl)).strip();
        body = nl < 0 ? "" : body.substring(nl + 1).strip();
      }
      String id =
          java.util.HexFormat.of()
              .formatHex(
                  sha256((path + "\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .substring(0, 16);
      out.add(new Comment(id, "reviewer", path, body));
    }
    return out;
  }

  private static byte[] sha256(byte[] data) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(data);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path recordFile() {
    return folder.resolve(name + ".json");
  }

  @Override
  public Published publish(PullRequest pr, Consumer<Published> onCreated) throws IOException {
    Path record = recordFile();
    Path body = folder.resolve(name + ".md");
    ObjectNode old = Files.exists(record) ? (ObjectNode) JSON.readTree(record.toFile()) : null;
    boolean created = old == null || !"open".equals(old.path("state").asText());
    ObjectNode n = created ? JSON.createObjectNode() : old;
    String now = Instant.now().toString();
    if (created) {
      n.put("provider", "local");
      n.put("number", old == null ? 1 : old.path("number").asInt(1) + 1);
      n.put("state", "open");
      n.put("created_at", now);
      n.put("updates", 0);
    } else {
      n.put("updates", n.path("updates").asInt(0) + 1);
    }
    n.put("title", pr.title());
    n.put("repository", origin);
    n.put("head", pr.head());
    n.put("base", pr.base());
    n.put("draft", pr.draft());
    n.putPOJO("labels", pr.labels());
    n.put("body_file", body.toString());
    n.put("updated_at", now);
    n.put("url", record.toUri().toString());
    AtomicFiles.write(body, pr.body());
    AtomicFiles.write(record, JSON.writeValueAsBytes(n));
    Published published =
        new Published(
            record.toUri().toString(), record.toString(), n.get("number").asInt(), created);
    if (created) {
      onCreated.accept(published);
    }
    return published;
  }

  @Override
  public State state(int number) throws IOException {
    Path record = recordFile();
    if (!Files.exists(record)) {
      return State.UNKNOWN;
    }
    ObjectNode n = (ObjectNode) JSON.readTree(record.toFile());
    if (n.path("number").asInt() != number) {
      return State.UNKNOWN;
    }
    return switch (n.path("state").asText()) {
      case "open" -> State.OPEN;
      case "merged" -> State.MERGED;
      default -> State.CLOSED;
    };
  }

  /** Marks the record closed with the comment; empty when there is no open record for head. */
  @Override
  public Optional<String> close(String head, String comment) throws IOException {
    Path record = recordFile();
    if (!Files.exists(record)) {
      return Optional.empty();
    }
    ObjectNode n = (ObjectNode) JSON.readTree(record.toFile());
    if (!"open".equals(n.path("state").asText()) || !head.equals(n.path("head").asText())) {
      return Optional.empty();
    }
    n.put("state", "closed");
    n.put("closed_at", Instant.now().toString());
    n.put("closing_comment", comment);
    AtomicFiles.write(record, JSON.writeValueAsBytes(n));
    return Optional.of(record.toUri().toString());
  }
}
