package org.alan.runtime.learn;

import org.alan.runtime.engine.Engine;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.model.ModelSpec;

/**
 * Settings of a fit.
 *
 * @param method how the guide's parameters are fitted
 * @param k particles per latent group in each iteration
 * @param iterations the most iterations at the posterior (the stopping rule may end them earlier)
 * @param lr QEM's rate (the weight of each iteration's moment estimates in the running averages), or Adam's step
 *     size for VI and RWS
 * @param seed every iteration's random streams derive from it
 * @param threads worker threads (0: one per processor)
 * @param stopEarly whether the stopping rule may end the fit before {@code iterations} (off for benchmarks that
 *     report the bound after a fixed number of iterations)
 */
public record FitOptions(FitMethod method, int k, int iterations, double lr, long seed, int threads,
    ParentSampler sampler, boolean stopEarly) {
  /** The defaults: QEM, K = 30, at most 250 iterations, rate 0.1. */
  public static final int DEFAULT_K = 30;
  public static final int DEFAULT_ITERATIONS = 250;

  public FitOptions {
    if (k < 2) {
      throw new IllegalArgumentException("fitting needs K of at least 2 (moments from one particle are a point), got "
          + k);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("the number of iterations must be at least 1, got " + iterations);
    }
    if (!(lr > 0 && lr <= 1)) {
      throw new IllegalArgumentException("the rate --lr must be in (0, 1], got " + lr);
    }
  }

  /** Options with the stopping rule on. */
  public FitOptions(FitMethod method, int k, int iterations, double lr, long seed, int threads,
      ParentSampler sampler) {
    this(method, k, iterations, lr, seed, threads, sampler, true);
  }

  /** The most entries a pass of the automatic guide's fit may stream (a fraction of a second on two cores). */
  static final long AUTOMATIC_FIT_ENTRIES = 50_000_000L;

  /**
   * The K the automatic guide is fitted with before a sample with {@code sampleK} particles: the largest K up to
   * {@code sampleK} (and 1000) whose forward pass streams at most {@link #AUTOMATIC_FIT_ENTRIES} entries, but at
   * least 30 (or {@code sampleK} if smaller). Tempering is more reliable with more particles: with 100 on a
   * hierarchical model with vague priors it can settle on a wrong mode where 1000 does not, so small models get
   * many and large ones as many as are cheap.
   */
  public static int automaticK(ModelSpec spec, int[] plateSize, int sampleK) {
    int floor = Math.max(2, Math.min(sampleK, DEFAULT_K));
    for (int k = Math.min(sampleK, 1000); k > floor; k = (int) (k * 0.8)) {
      if (Engine.forwardEntries(spec, k, plateSize) <= AUTOMATIC_FIT_ENTRIES) {
        return k;
      }
    }
    return floor;
  }

  public static FitOptions defaults(long seed) {
    return new FitOptions(FitMethod.QEM, DEFAULT_K, DEFAULT_ITERATIONS, FitMethod.QEM.defaultLr(), seed, 0,
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

  /** These options with another method, at that method's default rate. */
  public FitOptions withMethod(FitMethod m) {
    return new FitOptions(m, k, iterations, m.defaultLr(), seed, threads, sampler, stopEarly);
  }

  /** With {@code false}, every iteration runs (the stopping rule is off). */
  public FitOptions withStopEarly(boolean stop) {
    return new FitOptions(method, k, iterations, lr, seed, threads, sampler, stop);
  }

  public FitOptions withThreads(int t) {
    return new FitOptions(method, k, iterations, lr, seed, t, sampler, stopEarly);
  }
}
