package org.alan.runtime.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.alan.runtime.engine.Progress;

/** A one-line progress bar on stderr, redrawn at most every 100 ms and only when stderr is a terminal. */
final class ProgressBar implements Progress {
  private final PrintStream err;
  private final boolean enabled;
  private long lastDraw;
  private String lastPhase = "";

  ProgressBar(PrintStream err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  @Override
  public synchronized void report(String phase, long done, long total) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    boolean finished = done >= total;
    if (!finished && phase.equals(lastPhase) && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    lastPhase = phase;
    int width = 30;
    int filled = total == 0 ? width : (int) (width * done / total);
    err.print(String.format(Locale.ROOT, "\r%-9s [%s%s] %3d%%", phase, "#".repeat(filled), " ".repeat(width - filled),
        total == 0 ? 100 : 100 * done / total));
    if (finished) {
      err.print("\r" + " ".repeat(width + 20) + "\r");
    }
    err.flush();
  }
}
