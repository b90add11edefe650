package org.alan.runtime.engine;

/** Inference could not produce a meaningful result; the message says which variable or factor and why. */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }
}
