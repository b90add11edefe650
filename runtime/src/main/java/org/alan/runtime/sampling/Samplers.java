package org.alan.runtime.sampling;

import org.alan.runtime.math.AlanMath;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
import org.apache.commons.rng.sampling.distribution.MarsagliaTsangWangDiscreteSampler;
import org.apache.commons.rng.sampling.distribution.PoissonSampler;

/**
 * Draws from each distribution of the language, with PyTorch's parameterisations. Invalid parameters (a
 * non-positive scale, a probability outside [0, 1]) give NaN, which the engine reports with the variable's name.
 */
public final class Samplers {
  private Samplers() {}

  public static double normal(Rng rng, double loc, double scale) {
    return scale > 0 ? loc + scale * rng.gaussian() : Double.NaN;
  }

  public static double halfNormal(Rng rng, double scale) {
    return scale > 0 ? Math.abs(scale * rng.gaussian()) : Double.NaN;
  }

  public static double logNormal(Rng rng, double loc, double scale) {
    return scale > 0 ? Math.exp(loc + scale * rng.gaussian()) : Double.NaN;
  }

  public static double studentT(Rng rng, double df, double loc, double scale) {
    if (!(df > 0 && scale > 0)) {
      return Double.NaN;
    }
    double chi2 = 2.0 * standardGamma(rng, 0.5 * df);
    return loc + scale * rng.gaussian() / Math.sqrt(chi2 / df);
  }

  public static double cauchy(Rng rng, double loc, double scale) {
    return scale > 0 ? loc + scale * Math.tan(Math.PI * (rng.openUniform() - 0.5)) : Double.NaN;
  }

  public static double halfCauchy(Rng rng, double scale) {
    return Math.abs(cauchy(rng, 0, scale));
  }

  public static double exponential(Rng rng, double rate) {
    return rate > 0 ? rng.exponential() / rate : Double.NaN;
  }

  public static double gamma(Rng rng, double concentration, double rate) {
    return concentration > 0 && rate > 0 ? standardGamma(rng, concentration) / rate : Double.NaN;
  }

  /** Gamma(shape, 1), Marsaglia-Tsang (with the Ahrens-Dieter boost below shape 1). */
  static double standardGamma(Rng rng, double shape) {
    return AhrensDieterMarsagliaTsangGammaSampler.of(rng, shape, 1.0).sample();
  }

  public static double beta(Rng rng, double a, double b) {
    if (!(a > 0 && b > 0)) {
      return Double.NaN;
    }
    double x = standardGamma(rng, a);
    double y = standardGamma(rng, b);
    double v = x / (x + y);
    // keep draws strictly inside (0, 1), where the density is finite
    return Math.min(Math.max(v, Double.MIN_NORMAL), 1.0 - 0x1p-53);
  }

  public static double uniform(Rng rng, double low, double high) {
    return low < high ? low + (high - low) * rng.nextDouble() : Double.NaN;
  }

  public static double bernoulliProbs(Rng rng, double p) {
    return p >= 0 && p <= 1 ? (rng.nextDouble() < p ? 1.0 : 0.0) : Double.NaN;
  }

  public static double bernoulliLogits(Rng rng, double logits) {
    return Double.isNaN(logits) ? Double.NaN : bernoulliProbs(rng, AlanMath.sigmoid(logits));
  }

  public static double binomialProbs(Rng rng, double n, double p) {
    if (!(n >= 0 && n == Math.rint(n) && p >= 0 && p <= 1)) {
      return Double.NaN;
    }
    if (n == 0 || p == 0) {
      return 0;
    }
    if (p == 1) {
      return n;
    }
    if (n <= 16) {
      int count = 0;
      for (int i = 0; i < n; i++) {
        count += rng.nextDouble() < p ? 1 : 0;
      }
      return count;
    }
    return MarsagliaTsangWangDiscreteSampler.Binomial.of(rng, (int) n, p).sample();
  }

  public static double binomialLogits(Rng rng, double n, double logits) {
    return binomialProbs(rng, n, AlanMath.sigmoid(logits));
  }

  public static double poisson(Rng rng, double rate) {
    if (!(rate >= 0)) {
      return Double.NaN;
    }
    return rate == 0 ? 0 : PoissonSampler.of(rng, rate).sample();
  }

  /**
   * A category index drawn from unnormalised non-negative weights {@code probs[off + i*stride]}, i < n.
   */
  public static double categoricalProbs(Rng rng, double[] probs, int off, int stride, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double p = probs[off + i * stride];
      if (!(p >= 0)) {
        return Double.NaN;
      }
      total += p;
    }
    if (!(total > 0) || Double.isInfinite(total)) {
      return Double.NaN;
    }
    double u = rng.nextDouble() * total;
    double acc = 0;
    for (int i = 0; i < n; i++) {
      acc += probs[off + i * stride];
      if (u < acc) {
        return i;
      }
    }
    return n - 1;
  }

  /** A category index drawn from logits {@code logits[off + i*stride]}, i < n (Gumbel-free: max-subtracted). */
  public static double categoricalLogits(Rng rng, double[] logits, int off, int stride, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      m = Math.max(m, logits[off + i * stride]);
    }
    if (Double.isNaN(m) || m == Double.NEGATIVE_INFINITY || m == Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.exp(logits[off + i * stride] - m);
    }
    double u = rng.nextDouble() * total;
    double acc = 0;
    for (int i = 0; i < n; i++) {
      acc += Math.exp(logits[off + i * stride] - m);
      if (u < acc) {
        return i;
      }
    }
    return n - 1;
  }

  /**
   * Draws a Dirichlet vector from {@code alpha[aOff + i*aStride]} into {@code out[oOff + i*oStride]}, i < n.
   */
  public static void dirichlet(Rng rng, double[] alpha, int aOff, int aStride, int n, double[] out, int oOff,
      int oStride) {
    double total = 0;
    for (int i = 0; i < n; i++) {
      double a = alpha[aOff + i * aStride];
      double g = a > 0 ? standardGamma(rng, a) : Double.NaN;
      out[oOff + i * oStride] = g;
      total += g;
    }
    for (int i = 0; i < n; i++) {
      double v = out[oOff + i * oStride] / total;
      out[oOff + i * oStride] = Math.max(v, Double.MIN_NORMAL);
    }
  }
}
