package org.alan.tests;

import org.apache.commons.numbers.gamma.LogGamma;

/** Closed forms for the analytic test problems (spec section 7). */
final class Analytic {
  private Analytic() {}

  /**
   * log N(y; m 1, noise^2 I + c^2 1 1^T) for y_i = c * a + noise_i with a ~ N(priorMean, priorSd^2) shared:
   * the evidence of a Gaussian with one shared latent, by Sherman-Morrison and the determinant lemma.
   */
  static double logEvidenceShared(double[] y, double mean, double sharedVar, double noiseVar) {
    int n = y.length;
    double sum = 0;
    double sumSq = 0;
    for (double v : y) {
      double r = v - mean;
      sum += r;
      sumSq += r * r;
    }
    double denom = 1 + sharedVar * n / noiseVar;
    double quad = (sumSq - (sharedVar / noiseVar) * sum * sum / denom) / noiseVar;
    double logDet = n * Math.log(noiseVar) + Math.log(denom);
    return -0.5 * (n * Math.log(2 * Math.PI) + logDet + quad);
  }

  static double logNormal(double x, double mean, double var) {
    return -0.5 * (Math.log(2 * Math.PI * var) + (x - mean) * (x - mean) / var);
  }

  /** Posterior of a Normal mean with a Normal prior and known noise: {mean, variance}. */
  static double[] normalPosterior(double priorMean, double priorVar, double[] y, double coef, double noiseVar) {
    double precision = 1 / priorVar;
    double weighted = priorMean / priorVar;
    for (double v : y) {
      precision += coef * coef / noiseVar;
      weighted += coef * v / noiseVar;
    }
    return new double[] {weighted / precision, 1 / precision};
  }

  static double logBeta(double a, double b) {
    return LogGamma.value(a) + LogGamma.value(b) - LogGamma.value(a + b);
  }

  static double sum(double[] y) {
    double s = 0;
    for (double v : y) {
      s += v;
    }
    return s;
  }

  /** Gauss-Jordan inversion; no pivoting is needed for a symmetric positive definite matrix. */
  static double[][] invert(double[][] m) {
    int d = m.length;
    double[][] a = new double[d][2 * d];
    for (int i = 0; i < d; i++) {
      System.arraycopy(m[i], 0, a[i], 0, d);
      a[i][d + i] = 1;
    }
    for (int c = 0; c < d; c++) {
      double pivot = a[c][c];
      for (int j = 0; j < 2 * d; j++) {
        a[c][j] /= pivot;
      }
      for (int r = 0; r < d; r++) {
        double f = r == c ? 0 : a[r][c];
        for (int j = 0; j < 2 * d; j++) {
          a[r][j] -= f * a[c][j];
        }
      }
    }
    double[][] inv = new double[d][];
    for (int i = 0; i < d; i++) {
      inv[i] = java.util.Arrays.copyOfRange(a[i], d, 2 * d);
    }
    return inv;
  }

  /** log det of a symmetric positive definite matrix, from its Cholesky factor. */
  static double logDetSpd(double[][] m) {
    int n = m.length;
    double[][] l = new double[n][n];
    double out = 0;
    for (int j = 0; j < n; j++) {
      double d = m[j][j];
      for (int k = 0; k < j; k++) {
        d -= l[j][k] * l[j][k];
      }
      l[j][j] = Math.sqrt(d);
      out += 2 * Math.log(l[j][j]);
      for (int i = j + 1; i < n; i++) {
        double s = m[i][j];
        for (int k = 0; k < j; k++) {
          s -= l[i][k] * l[j][k];
        }
        l[i][j] = s / l[j][j];
      }
    }
    return out;
  }

  /** log B(a) = sum log Gamma(a_i) - log Gamma(sum a_i), the Dirichlet's normaliser. */
  static double logMultivariateBeta(double[] a) {
    double sum = 0;
    double out = 0;
    for (double x : a) {
      out += LogGamma.value(x);
      sum += x;
    }
    return out - LogGamma.value(sum);
  }

  /** Mean, sd and log evidence of a one-dimensional posterior by the trapezoid rule on [lo, hi]. */
  static void assertMatchesIntegral(org.alan.runtime.engine.Posterior p, String name,
      java.util.function.DoubleUnaryOperator logJoint, double lo, double hi) {
    int n = 200_000;
    double h = (hi - lo) / n;
    double z = 0;
    double m1 = 0;
    double m2 = 0;
    for (int i = 0; i <= n; i++) {
      double x = lo + i * h;
      double w = (i == 0 || i == n ? 0.5 : 1) * Math.exp(logJoint.applyAsDouble(x)) * h;
      z += w;
      m1 += w * x;
      m2 += w * x * x;
    }
    double mean = m1 / z;
    double sd = Math.sqrt(m2 / z - mean * mean);
    RandomInterceptTest.assertWithin(name, p.means(name)[0], p.sds(name)[0], mean, sd, p.ess(name));
    // the log of a mean of weights: standard error about sqrt(1 / ESS)
    org.junit.jupiter.api.Assertions.assertEquals(Math.log(z), p.logMarginalLikelihood(), 4 / Math.sqrt(p.ess(name)), "log evidence");
  }
}
