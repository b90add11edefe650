package org.alan.kernels;

/** The scalar {@link SoftplusSums}: always available, and the reference for the vector one. */
final class ScalarSoftplusSums implements SoftplusSums {
  @Override
  public void expBoth(double[] x, int off, int n, double[] plus, double[] minus) {
    for (int i = off; i < off + n; i++) {
      plus[i] = Math.exp(x[i]);
      minus[i] = Math.exp(-x[i]);
    }
  }

  @Override
  public void add(int n, double[] r, double[] rPlus, double[] rMinus, int rowStride, double[] s, double[] sPlus,
      double[] sMinus, int colStride, int cols, double coef, int from, int to, double[] out, int off) {
    for (int t = from; t < to; t++) {
      int a = t / cols;
      int b = t - a * cols;
      double linear = 0;
      double logs = 0;
      double product = 1;
      for (int i = 0; i < n; i++) {
        int ri = i * rowStride + a;
        int si = i * colStride + b;
        linear += Math.max(r[ri] + s[si], 0.0);
        double u = Math.min(rPlus[ri] * sPlus[si], rMinus[ri] * sMinus[si]);
        product = Math.fma(product, u, product);
        if (i % PRODUCT_RUN == PRODUCT_RUN - 1) {
          logs += Math.log(product);
          product = 1;
        }
      }
      out[off + t - from] += coef * (linear + logs + Math.log(product));
    }
  }

  @Override
  public void sigmoidAdjoints(double[] w, int wOff, int rows, int cols, double[] rMinus, int rOff, double[] sMinus,
      int sOff, double coef, double[] rowAdj, double[] colAdj) {
    for (int a = 0; a < rows; a++) {
      double rm = rMinus[rOff + a];
      double row = 0;
      int base = wOff + a * cols;
      for (int b = 0; b < cols; b++) {
        double g = w[base + b] / (1 + rm * sMinus[sOff + b]);
        row += g;
        colAdj[b] += coef * g;
      }
      rowAdj[a] += coef * row;
    }
  }
}
