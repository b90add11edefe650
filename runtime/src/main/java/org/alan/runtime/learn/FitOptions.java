package org.alan.runtime.learn;

import org.alan.runtime.engine.ParentSampler;

/**
 * Settings of a fit.
 *
 * @param method how the guide's parameters are fitted
 * @param k particles per latent group in each iteration
 * @param iterations the most iterations at the posterior (the stopping rule may end them earlier)
 * @param lr the QEM rate: the weight of each iteration's moment estimates in the running averages
 * @param seed every iteration's random streams derive from it
 * @param threads worker threads (0: one per processor)
 * @param stopEarly whether the stopping rule may end the fit before {@code iterations} (off for benchmarks that
 *     report the bound after a fixed number of iterations)
 */
public record FitOptions(FitMethod method, int k, int iterations, double lr, long seed, int threads,
    ParentSampler sampler, boolean stopEarly) {
  /** The defaults: QEM, K = 30, at most 250 iterations, rate 0.3. */
  public static final int DEFAULT_K = 30;
  public static final int DEFAULT_ITERATIONS = 250;
  public static final double DEFAULT_LR = 0.3;

  public FitOptions {
    if (k < 2) {
      throw new IllegalArgumentException("fitting needs K of at least 2 (moments from one particle are a point), got "
          + k);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("the number of iterations must be at least 1, got " + iterations);
    }
    if (!(lr > 0 && lr <= 1)) {
      throw new IllegalArgumentException("the QEM rate --lr must be in (0, 1], got " + lr);
    }
  }

  /** Options with the stopping rule on. */
  public FitOptions(FitMethod method, int k, int iterations, double lr, long seed, int threads,
      ParentSampler sampler) {
    this(method, k, iterations, lr, seed, threads, sampler, true);
  }

  public static FitOptions defaults(long seed) {
    return new FitOptions(FitMethod.QEM, DEFAULT_K, DEFAULT_ITERATIONS, DEFAULT_LR, seed, 0,
        ParentSampler.PERMUTATION);
  }

  public FitOptions withK(int newK) {
    return new FitOptions(method, newK, iterations, lr, seed, threads, sampler, stopEarly);
  }

  public FitOptions withIterations(int n) {
    return new FitOptions(method, k, n, lr, seed, threads, sampler, stopEarly);
  }

  public FitOptions withLr(double rate) {
    return new FitOptions(method, k, iterations, rate, seed, threads, sampler, stopEarly);
  }

  public FitOptions withThreads(int t) {
    return new FitOptions(method, k, iterations, lr, seed, t, sampler, stopEarly);
  }
}
