package org.alan.runtime.sampling;

import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;

/**
 * A random stream identified by a seed and a key. {@link #stream(long, long...)} mixes the seed and the key
 * words with SplitMix64 finalisers, so the stream for (seed, purpose, variable, element) is the same whatever
 * thread draws it and in whatever order.
 */
public final class Rng implements UniformRandomProvider {
  private final SplittableRandom random;
  private ZigguratSampler.NormalizedGaussian gaussian;
  private ZigguratSampler.Exponential exponential;

  private Rng(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** The stream for {@code seed} and the key words (purpose, variable, element, ...). */
  public static Rng stream(long seed, long... key) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (long k : key) {
      h = mix(h ^ mix(k + 0x632BE59BD9B4E019L));
    }
    return new Rng(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }

  @Override
  public double nextDouble() {
    return random.nextDouble();
  }

  @Override
  public int nextInt(int n) {
    return random.nextInt(n);
  }

  /** A standard normal draw (ziggurat). */
  public double gaussian() {
    if (gaussian == null) {
      gaussian = ZigguratSampler.NormalizedGaussian.of(this);
    }
    return gaussian.sample();
  }

  /** A standard exponential draw (ziggurat). */
  public double exponential() {
    if (exponential == null) {
      exponential = ZigguratSampler.Exponential.of(this);
    }
    return exponential.sample();
  }

  /** A uniform draw in the open interval (0, 1). */
  public double openUniform() {
    double u;
    do {
      u = random.nextDouble();
    } while (u == 0.0);
    return u;
  }

  /** Fills {@code perm} with a uniformly random permutation of 0..n-1 (Fisher-Yates). */
  public void permutation(int[] perm, int off, int n) {
    for (int i = 0; i < n; i++) {
      perm[off + i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = perm[off + i];
      perm[off + i] = perm[off + j];
      perm[off + j] = t;
    }
  }
}
