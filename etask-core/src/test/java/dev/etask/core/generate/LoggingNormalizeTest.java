package dev.etask.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The logging-normalize type's rewrite, run with the machine's Python on real files. */
class LoggingNormalizeTest {
  @TempDir Path dir;

  private String normalise(String name, String source) throws Exception {
    Path script = dir.resolve("logging_normalize.py");
    if (!Files.exists(script)) {
      try (InputStream in =
          getClass().getResourceAsStream("/dev/etask/core/generate/logging_normalize.py")) {
        Files.write(script, in.readAllBytes());
      }
    }
    Path file = dir.resolve(name);
    Files.writeString(file, source, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(List.of("python3", script.toString(), file.toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  @Test
  void messagesBecomeLazyArgumentsWhereThePrintedTextStaysTheSame() throws Exception {
    String after =
        normalise(
            "a.py",
            "import logging\r\n\r\nlog = logging.getLogger(__name__)\r\n\r\n\r\n"
                + "def f(x, pair, d):\r\n"
                + "    # a line separator \u2028 in a comment\r\n"
                + "    log.info(f\"x={x} is 100%\")\r\n"
                + "    log.info(f\"{x:.2f} {x!r}\")\r\n"
                + "    log.debug(\"{} and {name}\".format(x, name=d))\r\n"
                + "    log.info(\"%s-%s\" % (x, d))\r\n"
                + "    log.info(f\"{x:5}\")\r\n"
                + "    log.info(f\"{x:.3}\")\r\n"
                + "    log.info(\"%s-%s\" % pair)\r\n"
                + "    log.info(\"{0} {0}\".format(g()))\r\n"
                + "    logging.warning(\"root %s\", x)\r\n"
                + "    login.info(f\"{x}\")\r\n");
    assertThat(after)
        .contains("    log.info(\"x=%s is 100%%\", x)\r\n")
        .contains("    log.info(\"%.2f %r\", x, x)\r\n")
        .contains("    log.debug(\"%s and %s\", x, d)\r\n")
        .contains("    log.info(\"%s-%s\", x, d)\r\n")
        .contains("    log.warning(\"root %s\", x)\r\n") // the module's own logger
        // what %-style would print differently, evaluate twice, or a tuple could change: as it was
        .contains("    log.info(f\"{x:5}\")\r\n")
        .contains("    log.info(f\"{x:.3}\")\r\n")
        .contains("    log.info(\"%s-%s\" % pair)\r\n")
        .contains("    log.info(\"{0} {0}\".format(g()))\r\n")
        .contains("    login.info(f\"{x}\")\r\n") // not a logger
        .contains("\u2028 in a comment\r\n")
        .doesNotContain("\n\n"); // CRLF kept
  }

  @Test
  void rootLoggerCallsInFunctionsGoToAModuleLoggerAddedAfterTheImports() throws Exception {
    String after =
        normalise(
            "b.py",
            "\"\"\"Doc.\"\"\"\nimport logging\n\nlogging.info(\"at import\")\n\n\n"
                + "def go(x):\n    logging.info(f\"in {x}\")\n");
    assertThat(after)
        .isEqualTo(
            "\"\"\"Doc.\"\"\"\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n"
                + "logging.info(\"at import\")\n\n\ndef go(x):\n    logger.info(\"in %s\", x)\n");
    String loguru =
        "import logging\nfrom loguru import logger\n\n\ndef go(x):\n    logger.info(f\"{x}\")\n";
    assertThat(normalise("c.py", loguru)).isEqualTo(loguru);
  }

  @Test
  void aFileThatIsNotPythonIsLeftAsItIs() throws Exception {
    String broken = "def (:\n  logger.info(f'{x}')\n";
    assertThat(normalise("d.py", broken)).isEqualTo(broken);
  }
}
