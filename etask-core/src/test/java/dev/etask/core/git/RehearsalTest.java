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
  void goesThroughTheWholeGitWorkInAFolderOfItsOwnAndRemovesIt() throws Exception {
    Path neighbour = tmp.resolve("state.json");
    Files.writeString(neighbour, "{}");
    assertTrue(Rehearsal.run(tmp));
    assertEquals(List.of(neighbour), list(tmp));
    assertEquals("{}", Files.readString(neighbour));
  }

  @Test
  void stopsWhenItsThreadIsInterruptedAndStillRemovesItsFolder() throws Exception {
    Thread.currentThread().interrupt();
    try {
      assertFalse(Rehearsal.run(tmp));
    } finally {
      Thread.interrupted();
    }
    assertEquals(List.of(), list(tmp));
  }

  @Test
  void aRehearsalThatCannotRunSaysSoAndThrowsNothing() throws Exception {
    Path file = tmp.resolve("not-a-folder");
    Files.writeString(file, "x");
    assertFalse(Rehearsal.run(file));
    assertEquals("x", Files.readString(file));
  }

  private static List<Path> list(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
