package dev.etask.core.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A log that stays readable whatever a process prints: the first {@link #HEAD} bytes as they come,
 * then only the last {@link #TAIL} kept, and at the end a line saying how much was left out between
 * them, followed by that tail (from a line start).
 */
final class CappedLog extends OutputStream {
  static final int HEAD = 4 << 20;
  static final int TAIL = 1 << 20;

  private final OutputStream out;
  private final int head;
  private final byte[] ring;
  private long written;
  private long ringCount;

  CappedLog(OutputStream out) {
    this(out, HEAD, TAIL);
  }

  CappedLog(OutputStream out, int head, int tail) {
    this.out = out;
    this.head = head;
    this.ring = new byte[tail];
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    int direct = (int) Math.max(0, Math.min(len, head - written));
    if (direct > 0) {
      out.write(buf, off, direct);
      written += direct;
    }
    for (int i = off + direct; i < off + len; i++) {
      ring[(int) (ringCount % ring.length)] = buf[i];
      ringCount++;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (ringCount > 0) {
        int kept = (int) Math.min(ringCount, ring.length);
        byte[] tail = new byte[kept];
        long start = ringCount - kept;
        for (int i = 0; i < kept; i++) {
          tail[i] = ring[(int) ((start + i) % ring.length)];
        }
        int from = 0;
        if (ringCount > ring.length) {
          while (from < kept && tail[from] != '\n') {
            from++; // the tail starts at a line
          }
          from = Math.min(kept, from + 1);
        }
        long left = ringCount - (kept - from);
        if (left > 0) {
          out.write(
              ("\n[etask] … "
                      + left
                      + " bytes of output left out here (the log keeps the first "
                      + (head >> 20)
                      + " MiB and the last "
                      + (ring.length >> 20)
                      + " MiB) …\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
        out.write(tail, from, kept - from);
      }
    } finally {
      out.close();
    }
  }
}
