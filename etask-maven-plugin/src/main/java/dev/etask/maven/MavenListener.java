package dev.etask.maven;

import dev.etask.core.engine.Listener;
import org.apache.maven.plugin.logging.Log;

/**
 * Engine progress into Maven's log. With a prefix (a task's name, when tasks run side by side)
 * every line carries it and a phase gets no blank line before it.
 */
final class MavenListener implements Listener {
  private final Log log;
  private final String prefix;

  MavenListener(Log log) {
    this(log, null);
  }

  MavenListener(Log log, String name) {
    this.log = log;
    this.prefix = name == null ? null : "[" + name + "] ";
  }

  @Override
  public void phase(String name, String detail) {
    if (prefix == null) {
      log.info("");
    }
    info("── " + name + (detail == null || detail.isEmpty() ? "" : " ── " + detail));
  }

  @Override
  public void info(String line) {
    if (prefix == null) {
      log.info(line);
    } else {
      line.lines().forEach(l -> log.info(prefix + l));
    }
  }

  @Override
  public void debug(String line) {
    if (prefix == null) {
      log.debug(line);
    } else {
      line.lines().forEach(l -> log.debug(prefix + l));
    }
  }

  @Override
  public boolean debugging() {
    return log.isDebugEnabled();
  }

  @Override
  public void warn(String line) {
    if (prefix == null) {
      log.warn(line);
    } else {
      line.lines().forEach(l -> log.warn(prefix + l));
    }
  }
}
