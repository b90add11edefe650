package org.alan.runtime.plan;

/**
 * A tensor available to a plate element: a factor evaluated by generated code, the summed result a child plate
 * handed up, or the output of an earlier step.
 */
public record TensorRef(Source source, int index) {
  public enum Source {
    /** {@code index} is a factor id. */
    FACTOR,
    /** {@code index} is a position in the plate's {@link PlatePlan#children()}. */
    CHILD,
    /** {@code index} is a position in the plate's {@link PlatePlan#steps()}. */
    STEP
  }

  public static TensorRef factor(int id) {
    return new TensorRef(Source.FACTOR, id);
  }

  public static TensorRef child(int slot) {
    return new TensorRef(Source.CHILD, slot);
  }

  public static TensorRef step(int step) {
    return new TensorRef(Source.STEP, step);
  }
}
