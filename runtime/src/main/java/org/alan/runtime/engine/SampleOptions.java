package org.alan.runtime.engine;

/**
 * Settings of one run.
 *
 * @param k particles per latent group
 * @param seed the seed every random stream derives from
 * @param draws joint posterior draws by importance resampling (0 for none)
 * @param threads worker threads (0: one per available processor)
 * @param replicate whether each draw also holds replicated data ({@code y_rep}) drawn from the model given it
 */
public record SampleOptions(int k, long seed, ParentSampler sampler, int draws, int threads, boolean replicate) {
  public SampleOptions(int k, long seed, ParentSampler sampler, int draws, int threads) {
    this(k, seed, sampler, draws, threads, false);
  }

  public SampleOptions {
    if (k < 1) {
      throw new IllegalArgumentException("K must be at least 1, got " + k);
    }
    if (draws < 0) {
      throw new IllegalArgumentException("the number of draws must not be negative, got " + draws);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("the number of threads must not be negative, got " + threads);
    }
  }

  public static SampleOptions of(int k, long seed) {
    return new SampleOptions(k, seed, ParentSampler.PERMUTATION, 0, 0);
  }

  public SampleOptions withDraws(int n) {
    return new SampleOptions(k, seed, sampler, n, threads, replicate);
  }

  public SampleOptions withSampler(ParentSampler s) {
    return new SampleOptions(k, seed, s, draws, threads, replicate);
  }

  public SampleOptions withThreads(int t) {
    return new SampleOptions(k, seed, sampler, draws, t, replicate);
  }

  /** These options with replicated data ({@code y_rep}) in each draw, or without. */
  public SampleOptions withReplicates(boolean r) {
    return new SampleOptions(k, seed, sampler, draws, threads, r);
  }

  public int effectiveThreads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
