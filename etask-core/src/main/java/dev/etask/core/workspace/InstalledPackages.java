package dev.etask.core.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packages installed in a venv, from their metadata ({@code *.dist-info/METADATA}): what {@code
 * importlib.metadata} says, without starting a Python.
 */
final class InstalledPackages {
  private InstalledPackages() {}

  /** Name → version of every package installed in {@code venv}'s site-packages. */
  static Map<String, String> versions(Path venv) throws IOException {
    Map<String, String> versions = new java.util.TreeMap<>();
    List<Path> libs;
    try (var entries = Files.list(venv.resolve("lib"))) {
      libs =
          entries.map(l -> l.resolve("site-packages")).filter(Files::isDirectory).sorted().toList();
    }
    for (Path lib : libs) {
      List<Path> metadata;
      try (var entries = Files.list(lib)) {
        metadata =
            entries
                .filter(d -> d.getFileName().toString().endsWith(".dist-info"))
                .map(d -> d.resolve("METADATA"))
                .filter(Files::isRegularFile)
                .sorted()
                .toList();
      }
      for (Path m : metadata) {
        String name = null;
        String version = null;
        // the headers only, each byte a character: a description in another encoding is not read
        try (var in =
            new java.io.BufferedReader(
                new java.io.InputStreamReader(
                    Files.newInputStream(m), StandardCharsets.ISO_8859_1))) {
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.startsWith("Name:")) {
              name = line.substring(5).strip();
            } else if (line.startsWith("Version:")) {
              version = line.substring(8).strip();
            }
          }
        }
        if (name != null && version != null) {
          versions.putIfAbsent(normalized(name), version);
        }
      }
    }
    return versions;
  }

  /** A package name as the index compares it (PEP 503). */
  static String normalized(String name) {
    return name.replaceAll("[-_.]+", "-").toLowerCase(java.util.Locale.ROOT);
  }
}
