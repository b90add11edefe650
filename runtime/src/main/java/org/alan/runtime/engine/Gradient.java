package org.alan.runtime.engine;

/**
 * A run and the gradient of its bound (the log marginal likelihood estimate) with respect to the parameters.
 *
 * @param params {@code d bound / d params[p][element * size + coordinate]}, laid out like the parameters
 */
public record Gradient(Posterior posterior, double[][] params) {
  /** What is held fixed when differentiating. */
  public enum Kind {
    /** The particles: the parameters' direct effect on the factors (RWS, model parameters). */
    FIXED_PARTICLES,
    /** Nothing: the particles move with the guide's parameters through its reparameterised sampler (VI). */
    PATHWISE
  }
}
