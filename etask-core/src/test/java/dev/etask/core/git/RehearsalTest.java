package dev.etask.core.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RehearsalTest {
  @TempDir Path tmp;

  @Test
  void goesThroughTheWholeGitWorkAndLeavesNothing() throws Exception {
    Path neighbour = tmp.resolve("state.json");
    Files.writeString(neighbour, "{}");
    Path dir = tmp.resolve("rehearsal");
    Files.createDirectories(dir.resolve("old")); // what an interrupted rehearsal left
    assertTrue(Rehearsal.run(dir));
    assertFalse(Files.exists(dir));
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(List.of(neighbour), left.toList());
    }
    assertEquals("{}", Files.readString(neighbour));
  }

  @Test
  void aRehearsalThatCannotRunSaysSoAndThrowsNothing() throws Exception {
    Path file = tmp.resolve("not-a-folder");
    Files.writeString(file, "x");
    assertFalse(Rehearsal.run(file.resolve("rehearsal")));
    assertEquals("x", Files.readString(file));
  }
}
