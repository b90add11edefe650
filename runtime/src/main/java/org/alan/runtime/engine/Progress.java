package org.alan.runtime.engine;

/** Receives progress reports of long runs; the command line draws a bar from them. */
@FunctionalInterface
public interface Progress {
  Progress NONE = (phase, done, total) -> { };

  /** {@code done} of {@code total} units of {@code phase} are finished. */
  void report(String phase, long done, long total);
}
