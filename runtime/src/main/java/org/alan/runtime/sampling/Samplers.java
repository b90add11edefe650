package org.alan.runtime.sampling;

import org.alan.runtime.math.AlanMath;
import org.apache.commons.rng.sampling.distribution.AhrensDieterMarsagliaTsangGammaSampler;
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

  /**
   * A draw from the proper stand-in tempering uses for a Flat prior (which has no sampler): the automatic guide
   * starts from it. {@code simulate} and new plate elements refuse improper priors before getting here.
   */
  public static double flatSurrogate(Rng rng) {
    return normal(rng, 0, org.alan.stdlib.Distribution.SURROGATE_SCALE);
  }

  /** A draw from the stand-in for a HalfFlat prior, as {@link #flatSurrogate}. */
  public static double halfFlatSurrogate(Rng rng) {
    return logNormal(rng, 0, org.alan.stdlib.Distribution.SURROGATE_LOG_SCALE);
  }

  public static double studentT(Rng rng, double df, double loc, double scale) {
    if (!(df > 0 && scale > 0)) {
      return Double.NaN;
    }
    // sqrt(chi2 / df) with chi2 = 2 Gamma(df / 2), in logs: small df make chi2 underflow to 0
    double logChi2OverDf = LOG_TWO + logStandardGamma(rng, 0.5 * df) - Math.log(df);
    return loc + scale * rng.gaussian() * Math.exp(-0.5 * logChi2OverDf);
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

  private static final double LOG_TWO = Math.log(2);

  /** Gamma(shape, 1), Marsaglia-Tsang (with the Ahrens-Dieter boost below shape 1). */
  static double standardGamma(Rng rng, double shape) {
    return AhrensDieterMarsagliaTsangGammaSampler.of(rng, shape, 1.0).sample();
  }

  /**
   * log Gamma(shape, 1) draws, exact for every shape: below 1 as log Gamma(shape + 1) + log(U) / shape (Marsaglia
   * and Tsang's boost, taken in logs), so that a shape of 1e-3, whose draws are often below 1e-300, does not
   * underflow to log 0.
   */
  static double logStandardGamma(Rng rng, double shape) {
    if (shape >= 1) {
      return Math.log(standardGamma(rng, shape));
    }
    return Math.log(standardGamma(rng, shape + 1)) + Math.log(rng.openUniform()) / shape;
  }

  /** low + (high - low) u for u ~ Beta(a, b). */
  public static double scaledBeta(Rng rng, double a, double b, double low, double high) {
    return low < high ? low + (high - low) * beta(rng, a, b) : Double.NaN;
  }

  public static double beta(Rng rng, double a, double b) {
    if (!(a > 0 && b > 0 && a < Double.POSITIVE_INFINITY && b < Double.POSITIVE_INFINITY)) {
      return Double.NaN;
    }
    // x / (x + y) for gamma draws x, y, from their logs: tiny concentrations would make both underflow to 0
    double v = AlanMath.sigmoid(logStandardGamma(rng, a) - logStandardGamma(rng, b));
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

  /** Binomial draws below this many trials count Bernoulli trials one by one. */
  private static final int DIRECT_TRIALS = 64;

  public static double binomialProbs(Rng rng, double n, double p) {
    if (!(n >= 0 && n == Math.rint(n) && n < 0x1p53 && p >= 0 && p <= 1)) {
      return Double.NaN;
    }
    if (p > 0.5) {
      return n - binomialProbs(rng, n, 1 - p);
    }
    // Exact for every n, in O(log n) beta draws (Knuth, TAOCP 3.4.1): the a-th smallest of n uniforms is
    // Beta(a, n + 1 - a); the uniforms below p are among the a - 1 below it, or are the a up to it and some of
    // those above it, and either way a binomial with fewer trials counts them.
    double count = 0;
    while (n > DIRECT_TRIALS && p > 0) {
      double a = Math.floor(n / 2) + 1;
      double b = n + 1 - a;
      double x = beta(rng, a, b);
      if (x >= p) {
        n = a - 1;
        p = p / x;
      } else {
        count += a;
        n = b - 1;
        p = (p - x) / (1 - x);
      }
    }
    if (p == 0) {
      return count;
    }
    for (int i = 0; i < n; i++) {
      count += rng.nextDouble() < p ? 1 : 0;
    }
    return count;
  }

  public static double binomialLogits(Rng rng, double n, double logits) {
    return binomialProbs(rng, n, AlanMath.sigmoid(logits));
  }

  /** Poisson means up to this are drawn by commons-rng directly (its samplers take int-sized means). */
  private static final double DIRECT_POISSON_MEAN = 1e8;

  public static double poisson(Rng rng, double rate) {
    if (!(rate >= 0 && rate < Double.POSITIVE_INFINITY)) {
      return Double.NaN;
    }
    // Exact for huge means (Knuth, TAOCP 3.4.1): the m-th arrival of a unit-rate Poisson process comes at a
    // Gamma(m) time; if that is before the rate, m arrivals are counted and the rest of the interval remains, else
    // the arrivals before the rate are a binomial share of the m - 1 before the m-th.
    double count = 0;
    while (rate > DIRECT_POISSON_MEAN) {
      double m = Math.floor(rate * 7 / 8);
      double x = standardGamma(rng, m);
      if (x < rate) {
        count += m;
        rate -= x;
      } else {
        return count + binomialProbs(rng, m - 1, rate / x);
      }
    }
    return count + (rate == 0 ? 0 : PoissonSampler.of(rng, rate).sample());
  }

  /** 1 / Gamma(concentration, rate = scale). */
  public static double inverseGamma(Rng rng, double concentration, double scale) {
    return concentration > 0 && scale > 0 ? scale / standardGamma(rng, concentration) : Double.NaN;
  }

  /** scale * E^(1 / concentration) for a standard exponential E (inversion). */
  public static double weibull(Rng rng, double concentration, double scale) {
    return concentration > 0 && scale > 0 ? scale * Math.pow(rng.exponential(), 1 / concentration) : Double.NaN;
  }

  /** loc plus a random sign times an exponential draw of mean {@code scale}. */
  public static double laplace(Rng rng, double loc, double scale) {
    if (!(scale > 0)) {
      return Double.NaN;
    }
    double e = rng.exponential() * scale;
    return rng.nextDouble() < 0.5 ? loc - e : loc + e;
  }

  /** loc + scale * logit(U) (inversion). */
  public static double logistic(Rng rng, double loc, double scale) {
    if (!(scale > 0)) {
      return Double.NaN;
    }
    double u = rng.openUniform();
    return loc + scale * (Math.log(u) - Math.log1p(-u));
  }

  /** sigmoid of a Normal(loc, scale) draw, kept strictly inside (0, 1) where the density is finite. */
  public static double logitNormal(Rng rng, double loc, double scale) {
    if (!(scale > 0)) {
      return Double.NaN;
    }
    double v = AlanMath.sigmoid(normal(rng, loc, scale));
    return Math.min(Math.max(v, Double.MIN_NORMAL), 1.0 - 0x1p-53);
  }

  /** A Poisson draw whose rate is Gamma(dispersion, rate = dispersion / mean): mean {@code mean}. */
  public static double negativeBinomial(Rng rng, double mean, double dispersion) {
    if (!(mean > 0 && dispersion > 0 && mean < Double.POSITIVE_INFINITY)) {
      return Double.NaN;
    }
    return poisson(rng, standardGamma(rng, dispersion) * (mean / dispersion));
  }

  public static double negativeBinomialLogMean(Rng rng, double logMean, double dispersion) {
    return negativeBinomial(rng, Math.exp(logMean), dispersion);
  }

  /** A Binomial draw whose probability is Beta(concentration1, concentration0). */
  public static double betaBinomial(Rng rng, double n, double concentration1, double concentration0) {
    if (!(concentration1 > 0 && concentration0 > 0)) {
      return Double.NaN;
    }
    return binomialProbs(rng, n, beta(rng, concentration1, concentration0));
  }

  /** Failures before the first success: floor(E / -log(1 - p)) for a standard exponential E (inversion). */
  public static double geometric(Rng rng, double p) {
    if (!(p > 0 && p <= 1)) {
      return Double.NaN;
    }
    return p == 1 ? 0 : Math.floor(rng.exponential() / -Math.log1p(-p));
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
  /**
   * Counts of {@code n} draws over {@code width} categories weighted by {@code weights} (probabilities, normalised
   * here, or logits), into {@code out[off + i * stride]}: one binomial per category on what the earlier ones left.
   */
  public static void multinomial(Rng rng, double n, double[] weights, int width, boolean logits, double[] out,
      int off, int stride) {
    double[] p = new double[width];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < width; i++) {
      max = Math.max(max, weights[i]);
    }
    double total = 0;
    for (int i = 0; i < width; i++) {
      p[i] = logits ? Math.exp(weights[i] - max) : weights[i];
      total += p[i] >= 0 ? p[i] : Double.NaN;
    }
    if (!(total > 0) || Double.isInfinite(total)) {
      for (int i = 0; i < width; i++) {
        out[off + i * stride] = Double.NaN;
      }
      return;
    }
    double left = n;
    for (int i = 0; i < width; i++) {
      // once nothing is left to draw, or no mass is left beyond this category, the rest follow exactly
      double k = left == 0 ? 0 : i == width - 1 || !(total - p[i] > 0) ? left
          : binomialProbs(rng, left, Math.min(1, p[i] / total));
      out[off + i * stride] = k;
      left -= k;
      total -= p[i];
    }
  }

  public static void dirichlet(Rng rng, double[] alpha, int aOff, int aStride, int n, double[] out, int oOff,
      int oStride) {
    // normalised gamma draws, from their logs (a softmax), so that tiny concentrations do not give 0 / 0
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double a = alpha[aOff + i * aStride];
      double g = a > 0 && a < Double.POSITIVE_INFINITY ? logStandardGamma(rng, a) : Double.NaN;
      out[oOff + i * oStride] = g;
      max = Double.isNaN(g) || Double.isNaN(max) ? Double.NaN : Math.max(max, g);
    }
    double total = 0;
    for (int i = 0; i < n; i++) {
      total += Math.exp(out[oOff + i * oStride] - max);
    }
    for (int i = 0; i < n; i++) {
      double v = Math.exp(out[oOff + i * oStride] - max) / total;
      // strictly positive coordinates, where the density is finite
      out[oOff + i * oStride] = Double.isNaN(v) ? Double.NaN : Math.max(v, Double.MIN_NORMAL);
    }
  }
}
