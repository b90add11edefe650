package org.alan.runtime.engine;

import org.alan.runtime.io.BoundData;

/**
 * Runs the estimator of one compiled model: guide sampling, the planned contraction forward and backward, draws.
 * {@link Engine} is the CPU backend; a GPU backend runs the same {@link org.alan.runtime.plan.ContractionPlan}
 * and returns the same {@link Posterior}.
 */
public interface Backend {
  /** A run with the guide parameters at their initial values. */
  default Posterior run(BoundData data, SampleOptions options, Progress progress) {
    return run(data, null, 1, options, progress);
  }

  /**
   * A run with the guide parameters {@code params} ({@code [param][element * size + coordinate]}; null for their
   * initial values), targeting {@code p(z) p(y | z)^temperature} (1 is the posterior; below 1, a tempered one
   * used while fitting).
   */
  Posterior run(BoundData data, double[][] params, double temperature, SampleOptions options, Progress progress);

  /**
   * A run at temperature 1 and the gradient of its bound with respect to the parameters (VI, RWS). Throws
   * {@link UnsupportedOperationException} with the reason when the model's gradients are not available
   * ({@link org.alan.runtime.model.CompiledModel#gradientProblem}).
   */
  Gradient gradient(BoundData data, double[][] params, SampleOptions options, Gradient.Kind kind, Progress progress);

  /** A short name for reports ("cpu", "cuda"). */
  String name();

  /**
   * The backend for this JVM: {@code -Dalan.device} (or {@code ALAN_DEVICE}) chooses; {@code cpu}, the default,
   * is the only one in this build.
   */
  static Backend create(org.alan.runtime.model.CompiledModel model, int threads) {
    String device = System.getProperty("alan.device", System.getenv().getOrDefault("ALAN_DEVICE", "cpu"));
    if (!device.equals("cpu")) {
      throw new IllegalArgumentException("unknown device '" + device + "': this build of alan runs on the cpu only");
    }
    return new Engine(model, threads);
  }
}
