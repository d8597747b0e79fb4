package dev.etask.maven;

import dev.etask.core.engine.Listener;
import org.apache.maven.plugin.logging.Log;

/** Engine progress into Maven's log. */
final class MavenListener implements Listener {
  private final Log log;

  MavenListener(Log log) {
    this.log = log;
  }

  @Override
  public void phase(String name, String detail) {
    log.info("");
    log.info("── " + name + (detail == null || detail.isEmpty() ? "" : " ── " + detail));
  }

  @Override
  public void info(String line) {
    log.info(line);
  }

  @Override
  public void warn(String line) {
    log.warn(line);
  }
}
