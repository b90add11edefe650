package org.alan.compiler.packaging;

/**
 * The generated class is correct but exceeds one of the class-file format's limits (64 KB of bytecode per method,
 * 65535 constants, strings of 65535 bytes): the model is too large, which is reported against the program.
 */
public final class ClassTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param limit javac's description of the limit reached, e.g. "code too large" */
  public ClassTooLargeException(String limit) {
    super(limit);
  }
}
