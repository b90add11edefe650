package org.alan.runtime.engine;

/**
 * A run refused, or stopped, because it needs more than Java or this JVM's memory allows: an array beyond 2^31
 * entries, more memory than the heap. The message gives the figures and what to change (K, threads, draws, -Xmx);
 * the command line exits with status 3 for it.
 */
public final class ResourceLimitException extends InferenceException {
  private static final long serialVersionUID = 1L;

  public ResourceLimitException(String message) {
    super(message);
  }
}
