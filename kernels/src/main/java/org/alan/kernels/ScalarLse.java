package org.alan.kernels;

/** Plain Java loops; the reference the vectorised version is tested against. */
final class ScalarLse implements LseOps {
  @Override
  public void update(double[] max, double[] sum, int off, double[] x, int xOff, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      double m = max[off + i];
      if (v > m) {
        sum[off + i] = sum[off + i] * Math.exp(m - v) + 1.0;
        max[off + i] = v;
      } else if (Double.isNaN(v)) {
        max[off + i] = v;
        sum[off + i] = v;
      } else {
        sum[off + i] += Math.exp(v - m);
      }
    }
  }

  @Override
  public void finish(double[] max, double[] sum, int off, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      double m = max[off + i];
      out[outOff + i] = m == EMPTY ? Double.NEGATIVE_INFINITY : m + Math.log(sum[off + i]);
    }
  }

  @Override
  public void softmaxAdjoint(double[] x, int xOff, double[] lse, int lseOff, double[] adj, int adjOff, double[] w,
      int wOff, int n) {
    for (int i = 0; i < n; i++) {
      double a = adj[adjOff + i];
      w[wOff + i] = a == 0 ? 0 : a * Math.exp(x[xOff + i] - lse[lseOff + i]);
    }
  }

  @Override
  public void maxInto(double[] max, int off, double[] x, int xOff, int n) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      // NaN wins, so that it reaches the result
      max[off + i] = v > max[off + i] || Double.isNaN(v) ? v : max[off + i];
    }
  }

  @Override
  public void sumExpInto(double[] sum, int off, double[] x, int xOff, double[] max, int n) {
    for (int i = 0; i < n; i++) {
      sum[off + i] += Math.exp(x[xOff + i] - max[off + i]);
    }
  }

  @Override
  public double sum(double[] x, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[off + i];
    }
    return s;
  }

  @Override
  public double max(double[] x, int off, int n) {
    double m = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      m = Math.max(m, x[off + i]);
    }
    return m;
  }

  @Override
  public double logSumExp(double[] x, int off, int n) {
    double m = max(x, off, n);
    if (m == Double.NEGATIVE_INFINITY || Double.isNaN(m)) {
      return m;
    }
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += Math.exp(x[off + i] - m);
    }
    return m + Math.log(s);
  }
}
