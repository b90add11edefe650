package org.alan.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The same loops with the JDK Vector API: {@code exp} becomes one SVML call per lane group, about twenty times
 * faster than the scalar loop. Only loaded when the incubator module is in the boot layer.
 */
final class VectorLse implements LseOps {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final ScalarLse TAIL = new ScalarLse();
  private static final DoubleVector ONE = DoubleVector.broadcast(S, 1.0);

  @Override
  public void update(double[] max, double[] sum, int off, double[] x, int xOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
      DoubleVector m = DoubleVector.fromArray(S, max, off + i);
      DoubleVector s = DoubleVector.fromArray(S, sum, off + i);
      // the running maximum starts at a finite sentinel, so exp(lo - hi) is 0 (not NaN) for minus infinity
      // entries and one exp per lane serves both cases: rescale the sum, or add the new term
      DoubleVector hi = v.max(m);
      DoubleVector e = v.min(m).sub(hi).lanewise(VectorOperators.EXP);
      VectorMask<Double> bigger = v.compare(VectorOperators.GT, m);
      s = s.add(e).blend(s.fma(e, ONE), bigger);
      s.intoArray(sum, off + i);
      hi.intoArray(max, off + i);
    }
    if (i < n) {
      TAIL.update(max, sum, off + i, x, xOff + i, n - i);
    }
  }

  @Override
  public void finish(double[] max, double[] sum, int off, double[] out, int outOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      DoubleVector m = DoubleVector.fromArray(S, max, off + i);
      DoubleVector s = DoubleVector.fromArray(S, sum, off + i);
      DoubleVector r = m.add(s.lanewise(VectorOperators.LOG));
      r = r.blend(Double.NEGATIVE_INFINITY, m.compare(VectorOperators.EQ, LseOps.EMPTY));
      r.intoArray(out, outOff + i);
    }
    if (i < n) {
      TAIL.finish(max, sum, off + i, out, outOff + i, n - i);
    }
  }

  @Override
  public void softmaxAdjoint(double[] x, int xOff, double[] lse, int lseOff, double[] adj, int adjOff, double[] w,
      int wOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    DoubleVector zero = DoubleVector.zero(S);
    for (; i < bound; i += S.length()) {
      DoubleVector a = DoubleVector.fromArray(S, adj, adjOff + i);
      DoubleVector v = DoubleVector.fromArray(S, x, xOff + i);
      DoubleVector l = DoubleVector.fromArray(S, lse, lseOff + i);
      DoubleVector r = a.mul(v.sub(l).lanewise(VectorOperators.EXP));
      r = r.blend(zero, a.compare(VectorOperators.EQ, 0.0));
      r.intoArray(w, wOff + i);
    }
    if (i < n) {
      TAIL.softmaxAdjoint(x, xOff + i, lse, lseOff + i, adj, adjOff + i, w, wOff + i, n - i);
    }
  }

  @Override
  public void maxInto(double[] max, int off, double[] x, int xOff, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      DoubleVector.fromArray(S, x, xOff + i).max(DoubleVector.fromArray(S, max, off + i)).intoArray(max, off + i);
    }
    if (i < n) {
      TAIL.maxInto(max, off + i, x, xOff + i, n - i);
    }
  }

  @Override
  public void sumExpInto(double[] sum, int off, double[] x, int xOff, double[] max, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      DoubleVector e = DoubleVector.fromArray(S, x, xOff + i).sub(DoubleVector.fromArray(S, max, off + i))
          .lanewise(VectorOperators.EXP);
      DoubleVector.fromArray(S, sum, off + i).add(e).intoArray(sum, off + i);
    }
    if (i < n) {
      TAIL.sumExpInto(sum, off + i, x, xOff + i, max, n - i);
    }
  }

  @Override
  public double sum(double[] x, int off, int n) {
    int i = 0;
    int bound = S.loopBound(n);
    DoubleVector acc = DoubleVector.zero(S);
    for (; i < bound; i += S.length()) {
      acc = acc.add(DoubleVector.fromArray(S, x, off + i));
    }
    double s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += x[off + i];
    }
    return s;
  }

  @Override
  public double max(double[] x, int off, int n) {
    return TAIL.max(x, off, n);
  }

  @Override
  public double logSumExp(double[] x, int off, int n) {
    return TAIL.logSumExp(x, off, n);
  }
}
