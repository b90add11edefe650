package org.alan.runtime.io;

/** Data that does not fit the model. The message is for people: it names the variable, the plate and the index. */
public final class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }
}
