package org.alan.compiler.diag;

/**
 * A bug in alanc, never the user's fault. The message says so and asks for a report, so it is never
 * mistaken for a diagnostic about the program.
 */
public final class InternalCompilerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InternalCompilerError(String message) {
    super("internal compiler error: " + message
        + "\nThis is a bug in alanc, not in your program. Please file an issue with the .alan file attached.");
  }

  public InternalCompilerError(String message, Throwable cause) {
    this(message);
    initCause(cause);
  }
}
