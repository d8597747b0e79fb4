package dev.etask.core.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a child's merged output to its end: redacted line by line into its log (capped: the head
 * and the tail kept, see {@link CappedLog}) and a capture file when asked (whole), a bounded tail
 * kept, and the processes its reaper names as left running.
 */
final class OutputDrain implements Runnable {
  private final Redactor redactor;
  private final InputStream in;
  private final Path log;
  private final Path capture;
  private final StringBuilder tail = new StringBuilder();
  private final List<String> survivors = new ArrayList<>();
  private boolean watch;

  OutputDrain(Redactor redactor, InputStream in, Path log, Path capture) {
    this.redactor = redactor;
    this.in = in;
    this.log = log;
    this.capture = capture;
  }

  @Override
  public void run() {
    try (OutputStream logOut =
            log == null
                ? OutputStream.nullOutputStream()
                : new CappedLog(
                    Files.newOutputStream(
                        log, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        OutputStream captureOut =
            capture == null
                ? OutputStream.nullOutputStream()
                : Files.newOutputStream(
                    capture,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
        OutputStream out = new Tee(logOut, captureOut)) {
      // one decoder for the whole stream: a character split between two reads stays whole
      java.io.Reader reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8);
      char[] buf = new char[8192];
      StringBuilder line = new StringBuilder();
      int n;
      while ((n = reader.read(buf)) > 0) {
        line.append(buf, 0, n);
        int nl = line.lastIndexOf("\n");
        if (nl >= 0) {
          String complete = redactor.redact(line.substring(0, nl + 1));
          line.delete(0, nl + 1);
          out.write(complete.getBytes(StandardCharsets.UTF_8));
          keep(complete);
        }
      }
      if (line.length() > 0) {
        String rest = redactor.redact(line.toString());
        out.write(rest.getBytes(StandardCharsets.UTF_8));
        keep(rest);
      }
    } catch (IOException e) {
      keep("[etask] output lost: " + e.getMessage() + "\n");
    }
  }

  void watchSurvivors(boolean on) {
    watch = on;
  }

  synchronized List<String> survivors() {
    return List.copyOf(survivors);
  }

  private synchronized void keep(String text) {
    if (watch && text.contains(ProcessRunner.SURVIVOR)) {
      for (String line : text.split("\n")) {
        if (line.startsWith(ProcessRunner.SURVIVOR)) {
          survivors.add(line.substring(ProcessRunner.SURVIVOR.length()).strip());
        }
      }
    }
    tail.append(text);
    if (tail.length() > ProcessRunner.TAIL_CHARS) {
      tail.delete(0, tail.length() - ProcessRunner.TAIL_CHARS);
    }
  }

  synchronized String tail() {
    return tail.toString();
  }

  void append(String text) {
    if (log == null) {
      return;
    }
    try {
      Files.writeString(
          log, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes to two streams. */
  static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
