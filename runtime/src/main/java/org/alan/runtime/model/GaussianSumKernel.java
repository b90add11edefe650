package org.alan.runtime.model;

import org.alan.runtime.engine.ModelState;

/**
 * A Normal observation with a linear predictor, {@code y ~ Normal(sum_j c_j d_j, s)}, summed over a run of a
 * plate's elements from the rows' sufficient statistics (the compiler's {@code GaussianSplit} finds the form): the
 * coefficients {@code c_j} and the scale {@code s} vary with the particles but not along the run, the basis values
 * {@code d_j} and the datum {@code y} along the run but not with the particles. Then
 * <pre>
 *   sum_e log N(y_e | c.d_e, s) = -n log s - n/2 log(2 pi) - Q(c) / (2 s^2),
 *   Q(c) = sum_e (y_e - c.d_e)^2
 * </pre>
 * and Q is a quadratic in c whose coefficients are sums over the run: one pass over the rows, then a few operations
 * per entry instead of a log density per row and entry. To keep the subtraction exact where the residuals are small
 * beside the data, the statistics are taken about the first entry's coefficients {@code c0}: with
 * {@code u_e = y_e - c0.d_e} and {@code delta = c - c0}, {@code Q = sum u^2 - 2 delta.sum(u d) + delta' sum(d d') delta}.
 * Single elements, and every other request, go to the factor's own kernel.
 */
public final class GaussianSumKernel extends RunSumKernel {
  private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private final FactorKernel scale;
  private final FactorKernel[] coefficients;
  private final FactorKernel response;
  private final FactorKernel[] bases;
  private final int tile;
  private final double[] one = new double[1];
  private final int k;
  private final double[] s;
  private final double[] logScale;
  private final double[] q;
  private final double[] halfPrecision;
  private final double[][] c;
  private final double[] c0;
  private final double[] d;
  private final double[] sud;
  private final double[] sdd;

  public GaussianSumKernel(ModelState st, FactorKernel whole, FactorKernel scale, FactorKernel[] coefficients,
      FactorKernel response, FactorKernel[] bases) {
    super(whole);
    this.scale = scale;
    this.coefficients = coefficients;
    this.response = response;
    this.bases = bases;
    this.tile = KernelSupport.tileSize(st.K);
    int m = bases.length;
    this.k = st.K;
    this.s = new double[tile];
    this.logScale = new double[tile];
    this.q = new double[tile];
    this.halfPrecision = new double[tile];
    this.c = new double[m][tile];
    this.c0 = new double[m];
    this.d = new double[m];
    this.sud = new double[m];
    this.sdd = new double[m * m];
  }

  @Override
  public void addElements(int first, int last, int lead, int from, int to, double[] out, int off) {
    for (int t0 = from; t0 < to; t0 += tile) {
      addTile(first, last, lead, t0, Math.min(to, t0 + tile), out, off + t0 - from);
    }
  }

  private void addTile(int first, int last, int lead, int from, int to, double[] out, int off) {
    int m = bases.length;
    int n = to - from;
    // every row of the run lies in the same parent element, where the coefficients and scale are evaluated
    scale.prepare(first);
    scale.fill(lead, from, to, s, 0);
    for (int j = 0; j < m; j++) {
      coefficients[j].prepare(first);
      coefficients[j].fill(lead, from, to, c[j], 0);
      c0[j] = c[j][0];
    }
    double suu = 0;
    java.util.Arrays.fill(sud, 0.0);
    java.util.Arrays.fill(sdd, 0.0);
    for (int e = first; e < last; e++) {
      double u = datum(response, e);
      for (int j = 0; j < m; j++) {
        d[j] = datum(bases[j], e);
        u -= c0[j] * d[j];
      }
      suu += u * u;
      for (int j = 0; j < m; j++) {
        sud[j] += u * d[j];
        for (int k = 0; k < m; k++) {
          sdd[j * m + k] += d[j] * d[k];
        }
      }
    }
    int rows = last - first;
    double constant = -rows * HALF_LOG_TWO_PI;
    for (int t = 0; t < n; t++) {
      // a tile is whole rows of K entries; a scale that does not vary along the row dimension repeats K entries
      // on, and its logarithm is taken once
      double scale = s[t];
      if (t >= k && scale == s[t - k]) {
        logScale[t] = logScale[t - k];
        halfPrecision[t] = halfPrecision[t - k];
      } else {
        logScale[t] = Math.log(scale);
        halfPrecision[t] = 0.5 / (scale * scale);
      }
    }
    // Q = suu - 2 sum_j sud_j delta_j + sum_jk sdd_jk delta_j delta_k, one simple loop over the entries per term
    java.util.Arrays.fill(q, 0, n, suu);
    for (int j = 0; j < m; j++) {
      double[] delta = c[j];
      double c0j = c0[j];
      for (int t = 0; t < n; t++) {
        delta[t] -= c0j;
      }
      double diagonal = sdd[j * m + j];
      double linear = 2 * sud[j];
      for (int t = 0; t < n; t++) {
        q[t] += delta[t] * (diagonal * delta[t] - linear);
      }
      for (int i = 0; i < j; i++) {
        double[] other = c[i];
        double cross = 2 * sdd[i * m + j];
        for (int t = 0; t < n; t++) {
          q[t] += cross * delta[t] * other[t];
        }
      }
    }
    for (int t = 0; t < n; t++) {
      // a residual sum of squares cannot be negative; rounding may leave it a few ulps below 0
      out[off + t] += s[t] > 0 ? constant - rows * logScale[t] - Math.max(q[t], 0) * halfPrecision[t] : Double.NaN;
    }
  }

  private double datum(FactorKernel part, int element) {
    part.prepare(element);
    part.fill(0, 0, 1, one, 0);
    return one[0];
  }
}
