package org.alan.runtime.math;

import org.apache.commons.numbers.gamma.LogGamma;

/**
 * Numerically careful scalar functions used by generated log densities. Each is written to stay finite where
 * the naive formula overflows ({@code softplus(800)}, {@code logSigmoid(-800)}).
 */
public final class AlanMath {
  private AlanMath() {}

  /** Beyond this |x|, x * x overflows (or loses log1p's last term below 1e-300 of 2 log|x|). */
  public static final double SQUARE_OVERFLOW = 1e150;

  /** log(1 + x^2), finite for every finite x. */
  public static double log1pSquare(double x) {
    double a = Math.abs(x);
    return a > SQUARE_OVERFLOW ? 2 * Math.log(a) : Math.log1p(x * x);
  }

  /** d/dx log(1 + x^2) = 2x / (1 + x^2), without overflow. */
  public static double log1pSquareDerivative(double x) {
    return Math.abs(x) > SQUARE_OVERFLOW ? 2 / x : 2 * x / (1 + x * x);
  }

  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /** log(1 + exp(x)). */
  public static double softplus(double x) {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }

  /** log(sigmoid(x)) = -softplus(-x). */
  public static double logSigmoid(double x) {
    return -softplus(-x);
  }

  /** log Gamma(x) for x > 0 (NaN elsewhere, as the densities that call it are undefined there). */
  public static double lgamma(double x) {
    return x > 0 ? LogGamma.value(x) : Double.NaN;
  }

  /** The standard normal CDF, from erfc so that the lower tail keeps its relative accuracy. */
  public static double phi(double x) {
    return 0.5 * org.apache.commons.numbers.gamma.Erfc.value(-x * 0.7071067811865476);
  }

  /**
   * log Phi(x): directly while Phi(x) is a normal double, below -20 by the asymptotic series of Mills' ratio
   * (relative error under 1e-12 there), so a normal's far lower tail keeps its log probability.
   */
  public static double logPhi(double x) {
    if (!(x < -20)) {
      return Math.log(phi(x));
    }
    double r = 1 / (x * x);
    double series = 1 - r * (1 - 3 * r * (1 - 5 * r * (1 - 7 * r * (1 - 9 * r))));
    return -0.5 * x * x - Math.log(-x) - 0.9189385332046727 + Math.log(series);
  }

  /** d/dx log Phi(x) = density / Phi, in log space so that it stays finite in the lower tail. */
  public static double logPhiDerivative(double x) {
    return Math.exp(-0.5 * x * x - 0.9189385332046727 - logPhi(x));
  }

  /** The standard normal density, the derivative of {@link #phi}. */
  public static double standardNormalDensity(double x) {
    return Math.exp(-0.5 * x * x) * 0.3989422804014327;
  }

  /** The derivative of {@link #lgamma}: digamma(x) for x > 0, NaN elsewhere. */
  public static double digamma(double x) {
    return x > 0 ? org.apache.commons.numbers.gamma.Digamma.value(x) : Double.NaN;
  }

  /** x * log(y), 0 where x == 0. */
  public static double xlogy(double x, double y) {
    return x == 0 ? 0.0 : x * Math.log(y);
  }

  /** x * log1p(y), 0 where x == 0. */
  public static double xlog1py(double x, double y) {
    return x == 0 ? 0.0 : x * Math.log1p(y);
  }

  /** log(n choose k), minus infinity where k is outside [0, n] (a count above its total is impossible). */
  public static double logChoose(double n, double k) {
    if (Double.isNaN(n) || Double.isNaN(k)) {
      return Double.NaN;
    }
    if (k < 0 || k > n) {
      return Double.NEGATIVE_INFINITY;
    }
    return LogGamma.value(n + 1) - LogGamma.value(k + 1) - LogGamma.value(n - k + 1);
  }

  /** 0 where x >= 0, minus infinity elsewhere (NaN stays NaN). */
  public static double logStep(double x) {
    return x >= 0 ? 0.0 : (Double.isNaN(x) ? Double.NaN : Double.NEGATIVE_INFINITY);
  }

  /** 0 for a valid positive parameter, NaN otherwise (the parameter checks of log densities). */
  public static double checkPositive(double x) {
    return x > 0 ? 0.0 : Double.NaN;
  }

  /** 0 for a valid non-negative parameter, NaN otherwise. */
  public static double checkNonNegative(double x) {
    return x >= 0 ? 0.0 : Double.NaN;
  }

  /** 0 for a probability in [0, 1], NaN otherwise. */
  public static double checkUnit(double x) {
    return x >= 0 && x <= 1 ? 0.0 : Double.NaN;
  }

  /** 0 for a non-negative integer count, NaN otherwise. */
  public static double checkCount(double x) {
    return x >= 0 && x == Math.rint(x) && x < Double.POSITIVE_INFINITY ? 0.0 : Double.NaN;
  }
}
