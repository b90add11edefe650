package org.alan.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SoftplusSums} with the JDK Vector API: lanes run along a row's columns, the elements in the inner loop,
 * so a lane group's running product and sum of logarithms stay in registers. Only loaded when the incubator module is in the
 * boot layer; one instance per thread (it owns a buffer for a row's last lanes).
 */
final class VectorSoftplusSums implements SoftplusSums {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  static {
    if (L > COLUMN_PADDING) {
      throw new ExceptionInInitializerError("vectors of " + L + " doubles exceed the column padding");
    }
  }

  private final double[] tail = new double[L];

  @Override
  public void expBoth(double[] x, int off, int n, double[] plus, double[] minus) {
    int i = off;
    for (int bound = off + S.loopBound(n); i < bound; i += L) {
      DoubleVector v = DoubleVector.fromArray(S, x, i);
      v.lanewise(VectorOperators.EXP).intoArray(plus, i);
      if (minus != null) {
        v.neg().lanewise(VectorOperators.EXP).intoArray(minus, i);
      }
    }
    for (; i < off + n; i++) {
      plus[i] = Math.exp(x[i]);
      if (minus != null) {
        minus[i] = Math.exp(-x[i]);
      }
    }
  }

  @Override
  public void add(double[] rPlus, int rowStride, double[] sPlus, int colStride, int cols, int[] runEnds, int runs,
      double coef, int from, int to, double[] out, int off) {
    DoubleVector one = DoubleVector.broadcast(S, 1.0);
    for (int a = from / cols; a * cols < to; a++) {
      int bFrom = Math.max(from - a * cols, 0);
      int bTo = Math.min(to - a * cols, cols);
      int outRow = off + a * cols - from;
      for (int b = bFrom; b < bTo; b += L) {
        DoubleVector logs = DoubleVector.zero(S);
        int i = 0;
        for (int run = 0; run < runs; run++) {
          // no branch inside the elements' loop: the JIT keeps the running product in a register
          DoubleVector product = one;
          for (; i < runEnds[run]; i++) {
            DoubleVector u = DoubleVector.fromArray(S, sPlus, i * colStride + b).mul(rPlus[i * rowStride + a]);
            product = product.fma(u, product);
          }
          logs = logs.add(product.lanewise(VectorOperators.LOG));
        }
        DoubleVector sum = logs.mul(coef);
        if (b + L <= bTo) {
          DoubleVector.fromArray(S, out, outRow + b).add(sum).intoArray(out, outRow + b);
        } else {
          sum.intoArray(tail, 0);
          for (int j = 0; j < bTo - b; j++) {
            out[outRow + b + j] += tail[j];
          }
        }
      }
    }
  }

  @Override
  public void sigmoidAdjoints(double[] w, int wOff, int rows, int cols, double[] rMinus, int rOff, double[] sMinus,
      int sOff, double coef, double[] rowAdj, double[] colAdj) {
    int bound = S.loopBound(cols);
    DoubleVector one = DoubleVector.broadcast(S, 1.0);
    for (int a = 0; a < rows; a++) {
      double rm = rMinus[rOff + a];
      int base = wOff + a * cols;
      DoubleVector row = DoubleVector.zero(S);
      int b = 0;
      for (; b < bound; b += L) {
        DoubleVector g = DoubleVector.fromArray(S, w, base + b)
            .div(DoubleVector.fromArray(S, sMinus, sOff + b).fma(DoubleVector.broadcast(S, rm), one));
        row = row.add(g);
        g.fma(DoubleVector.broadcast(S, coef), DoubleVector.fromArray(S, colAdj, b)).intoArray(colAdj, b);
      }
      double rest = 0;
      for (; b < cols; b++) {
        double g = w[base + b] / (1 + rm * sMinus[sOff + b]);
        rest += g;
        colAdj[b] += coef * g;
      }
      rowAdj[a] += coef * (row.reduceLanes(VectorOperators.ADD) + rest);
    }
  }
}
