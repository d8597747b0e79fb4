package dev.etask.core.spec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The identity of a spec: its YAML tree normalised (keys sorted, comments and layout gone) and
 * hashed.
 */
final class SpecHash {
  private SpecHash() {}

  /**
   * SHA-256 (16 hex digits) of the node tree, normalised: mapping keys sorted, scalars by value.
   */
  static String of(Node root) {
    return of(root, null);
  }

  /** The same, with the task type's name and template version (null for none) hashed in. */
  static String of(Node root, String type) {
    StringBuilder b = new StringBuilder();
    normalise(root, b);
    if (type != null) {
      b.append("\ntype:").append(type);
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(b.toString().getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void normalise(Node node, StringBuilder b) {
    if (node instanceof MappingNode m) {
      TreeMap<String, Node> sorted = new TreeMap<>();
      for (NodeTuple t : m.getValue()) {
        String key =
            t.getKeyNode() instanceof ScalarNode k ? k.getValue() : String.valueOf(t.getKeyNode());
        sorted.put(key, t.getValueNode());
      }
      b.append('{');
      sorted.forEach(
          (k, v) -> {
            b.append(quote(k)).append(':');
            normalise(v, b);
            b.append(',');
          });
      b.append('}');
    } else if (node instanceof SequenceNode seq) {
      b.append('[');
      for (Node n : seq.getValue()) {
        normalise(n, b);
        b.append(',');
      }
      b.append(']');
    } else if (node instanceof ScalarNode sc) {
      b.append(Tag.NULL.equals(sc.getTag()) ? "null" : quote(sc.getValue()));
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
