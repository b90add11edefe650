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
}
