package org.alan.kernels;

/** The scalar {@link SoftplusSums}: always available, and the reference for the vector one. */
final class ScalarSoftplusSums implements SoftplusSums {

  @Override
  public void expBoth(double[] x, int off, int n, double[] plus, double[] minus) {
    for (int i = off; i < off + n; i++) {
      plus[i] = Math.exp(x[i]);
      if (minus != null) {
        minus[i] = Math.exp(-x[i]);
      }
    }
  }

  @Override
  public void add(double[] rPlus, int rowStride, double[] sPlus, int colStride, int cols, int[] runEnds, int runs,
      double coef, int from, int to, double[] out, int off) {
    for (int t = from; t < to; t++) {
      int a = t / cols;
      int b = t - a * cols;
      double logs = 0;
      int i = 0;
      for (int run = 0; run < runs; run++) {
        double product = 1;
        for (; i < runEnds[run]; i++) {
          product = Math.fma(product, rPlus[i * rowStride + a] * sPlus[i * colStride + b], product);
        }
        logs += Math.log(product);
      }
      out[off + t - from] += coef * logs;
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
