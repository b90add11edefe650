package org.alan.runtime.engine;

import java.util.Arrays;

/**
 * The Pareto k-hat diagnostic of importance weights (Vehtari, Simpson, Gelman, Yao and Gabry, <i>Pareto smoothed
 * importance sampling</i>, 2024): the shape of a generalised Pareto distribution fitted to the largest weights.
 * Below 0.5 the weights have a finite variance and the estimates converge at the usual rate; between 0.5 and 0.7
 * slowly; above 0.7 the estimates are unreliable whatever the effective sample size says, because the weights' tail
 * is so heavy that the few particles that would dominate have not been drawn yet.
 *
 * <p>The fit is Zhang and Stephens' (2009) posterior-mean estimate on a grid, with the weakly informative prior
 * towards 0.5 that PSIS uses, on the exceedances of the largest {@code min(K / 5, 3 sqrt K)} weights over the next
 * one. It is applied to a latent group's posterior marginal weights over its K particles at one plate element.
 */
public final class ParetoTail {
  private ParetoTail() {}

  /** Above this k-hat the importance-sampling estimates are unreliable (PSIS's threshold for large K). */
  public static final double UNRELIABLE = 0.7;

  /** Fewer tail weights than this give no usable fit. */
  static final int LEAST_TAIL = 5;

  /** The tail fitted among {@code k} weights: {@code ceil(min(0.2 k, 3 sqrt k))}. */
  static int tailLength(int k) {
    return (int) Math.ceil(Math.min(0.2 * k, 3 * Math.sqrt(k)));
  }

  /**
   * k-hat of the {@code k} non-negative weights {@code w[from ... from + k)} (normalised or not). NaN where it says
   * nothing: fewer than {@link #LEAST_TAIL} tail weights (K below 25), or a flat tail (the largest weights all equal:
   * no tail at all). Positive infinity where a few weights stand above a tail that is otherwise flat (the fit has
   * no scale, and the weights are as uneven as they can be).
   */
  public static double khat(double[] w, int from, int k) {
    int m = tailLength(k);
    if (m < LEAST_TAIL || m >= k) {
      return Double.NaN;
    }
    double[] sorted = Arrays.copyOfRange(w, from, from + k);
    Arrays.sort(sorted);
    double cutoff = sorted[k - m - 1];
    double[] x = new double[m];
    for (int i = 0; i < m; i++) {
      x[i] = sorted[k - m + i] - cutoff;
    }
    if (!(x[m - 1] > 0) || !Double.isFinite(x[m - 1])) {
      return Double.NaN;
    }
    double quartile = x[(int) Math.floor(m / 4.0 + 0.5) - 1];
    if (!(quartile > 0)) {
      return Double.POSITIVE_INFINITY;
    }
    return shape(x, quartile);
  }

  /**
   * Zhang and Stephens' estimate of the generalised Pareto shape from the ascending exceedances {@code x} (their
   * first quartile {@code quartile}), then PSIS's prior adjustment {@code (m k + 10 * 0.5) / (m + 10)}.
   */
  private static double shape(double[] x, double quartile) {
    int m = x.length;
    int grid = 30 + (int) Math.floor(Math.sqrt(m));
    double prior = 3;
    double[] theta = new double[grid];
    double[] logLik = new double[grid];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < grid; j++) {
      theta[j] = 1 / x[m - 1] + (1 - Math.sqrt(grid / (j + 0.5))) / prior / quartile;
      logLik[j] = m * profileLogLikelihood(theta[j], x);
      max = Math.max(max, logLik[j]);
    }
    double norm = 0;
    double thetaHat = 0;
    for (int j = 0; j < grid; j++) {
      double weight = Double.isFinite(logLik[j]) ? Math.exp(logLik[j] - max) : 0;
      norm += weight;
      thetaHat += theta[j] * weight;
    }
    thetaHat /= norm;
    double k = 0;
    for (double xi : x) {
      k += Math.log1p(-thetaHat * xi);
    }
    k /= m;
    return (m * k + 10 * 0.5) / (m + 10);
  }

  /** The generalised Pareto profile log-likelihood per exceedance at {@code theta} (= -k / sigma). */
  private static double profileLogLikelihood(double theta, double[] x) {
    double a = -theta;
    double k = 0;
    for (double xi : x) {
      k += Math.log1p(a * xi);
    }
    k /= x.length;
    return Math.log(a / k) - k - 1;
  }
}
