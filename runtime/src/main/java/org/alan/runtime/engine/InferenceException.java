package org.alan.runtime.engine;

/** Inference could not produce a meaningful result; the message says which variable or factor and why. */
public class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }

  /** A non-finite number in words: "NaN", "+infinity", "-infinity". */
  static String describe(double v) {
    return Double.isNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity";
  }

  /** The likely cause of a non-finite draw from {@code source} ("its proposal", "its distribution"). */
  static String whyNotFinite(double v, String source) {
    return Double.isNaN(v)
        ? "a parameter of " + source + " is out of range there (a negative scale or a probability outside [0, 1]?)"
        : "the value overflows double precision; a parameter of " + source + " is too large there (a huge scale,"
            + " exp of a large number?)";
  }
}
