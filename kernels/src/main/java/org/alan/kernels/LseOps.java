package org.alan.kernels;

/** The operations a log-sum-exp implementation provides over contiguous ranges (see {@link LogSumExp#ops}). */
public interface LseOps {
  /**
   * The running maximum before anything is folded in: finite, so that folding in minus infinity needs no special
   * case ({@code exp(-inf - EMPTY)} is 0), and below every log density that matters.
   */
  double EMPTY = -Double.MAX_VALUE;

  /**
   * Folds block {@code x[xOff, xOff+n)} into the running state: {@code max[i]} and {@code sum[i]} such that the
   * log-sum-exp so far is {@code max[i] + log(sum[i])}. Entries equal to minus infinity add nothing; NaN
   * propagates.
   */
  void update(double[] max, double[] sum, int off, double[] x, int xOff, int n);

  /** {@code out[i] = max[i] + log(sum[i])}; minus infinity where nothing finite was folded in. */
  void finish(double[] max, double[] sum, int off, double[] out, int outOff, int n);

  /** {@code w[i] = adj[i] * exp(x[i] - lse[i])}: the adjoint of one block, 0 where adj is 0. */
  void softmaxAdjoint(double[] x, int xOff, double[] lse, int lseOff, double[] adj, int adjOff, double[] w, int wOff,
      int n);

  /** {@code max[i] = max(max[i], x[xOff + i])}: the first pass of a two-pass log-sum-exp. */
  void maxInto(double[] max, int off, double[] x, int xOff, int n);

  /** {@code sum[i] += exp(x[xOff + i] - max[i])}: the second pass ({@code max} from the first). */
  void sumExpInto(double[] sum, int off, double[] x, int xOff, double[] max, int n);

  /** Sum of {@code x[off, off+n)}. */
  double sum(double[] x, int off, int n);

  /** Largest entry of {@code x[off, off+n)} (minus infinity when empty). */
  double max(double[] x, int off, int n);

  /** {@code log sum exp(x[off, off+n))}, max-subtracted. */
  double logSumExp(double[] x, int off, int n);
}
