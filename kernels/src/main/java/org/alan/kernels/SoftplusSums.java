package org.alan.kernels;

/**
 * Sums over a plate's elements of {@code softplus(r + s)} on an outer product: the term a Bernoulli (or any
 * softplus) log density contributes when its logit is one part that varies along the leading K dimensions of a
 * factor plus one that varies along the trailing ones, for instance a group effect plus covariate effects.
 *
 * <p>{@code sum_i softplus(r_i + s_i) = log prod_i (1 + e^r_i e^s_i)}: the exponentials are taken once per element
 * and part (not per entry), and the logarithm once per entry and run of elements, the runs cut so that no product
 * can overflow (each element's factor is at most {@code 1 + e^m}, {@code m} the largest part magnitudes' sum, so a
 * run's {@code sum log(1 + e^m)} stays below {@link #RUN_LOG_BOUND}). Per entry and element that leaves one
 * multiplication and one fused multiply-add, where the direct form needs an {@code exp} and a {@code log1p}. Every
 * factor is at least 1, so nothing underflows; a term {@code e^x} below {@code 2^-53} is lost from its factor,
 * which costs at most that much absolutely, and rounding differs from the direct form by a few ulps of the sum.
 * Callers give elements whose {@code m} exceeds {@link #LIMIT} (or is not finite) to the direct form.
 */
public interface SoftplusSums {
  /** Elements whose largest row and column part magnitudes sum to at most this use the product form. */
  double LIMIT = 600;

  /** The largest {@code log} of a run's product: {@code e^700} is finite. */
  double RUN_LOG_BOUND = 700;

  /**
   * {@code plus[i] = exp(x[i])} and {@code minus[i] = exp(-x[i])} for {@code i} in {@code [off, off + n)};
   * {@code minus} may be null (the sums need only {@code plus}, the adjoints only {@code minus}).
   */
  void expBoth(double[] x, int off, int n, double[] plus, double[] minus);

  /**
   * For the entries {@code t} in {@code [from, to)} of a row-major table with {@code cols} columns:
   * {@code out[off + t - from] += coef * sum_{i < n} softplus(r_i[t / cols] + s_i[t % cols])}, given
   * {@code rPlus[i * rowStride + a] = e^r_i[a]}, {@code sPlus[i * colStride + b] = e^s_i[b]} and the elements'
   * runs from {@link #runs} ({@code runEnds[0, runs)}, the last one {@code n}). The column arrays are readable (and
   * finite) up to {@code cols + 8} entries past each element's start, so that a vector implementation may load
   * whole lane groups.
   */
  void add(double[] rPlus, int rowStride, double[] sPlus, int colStride, int cols, int[] runEnds, int runs,
      double coef, int from, int to, double[] out, int off);

  /**
   * Cuts elements {@code [0, n)} into runs whose products cannot exceed {@code e^RUN_LOG_BOUND}, given each
   * element's {@code bound[i] = max_a |r_i[a]| + max_b |s_i[b]|} (at most {@link #LIMIT}): writes each run's
   * exclusive end to {@code runEnds} and returns how many runs there are.
   */
  static int runs(int n, double[] bound, int[] runEnds) {
    int runs = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      // log(1 + e^m) <= m + log 2 for m >= 0
      double log = bound[i] + 0.6931471805599453;
      if (i > 0 && sum + log > RUN_LOG_BOUND) {
        runEnds[runs++] = i;
        sum = 0;
      }
      sum += log;
    }
    if (n > 0) {
      runEnds[runs++] = n;
    }
    return runs;
  }

  /**
   * The adjoints of the parts for one element: with {@code x = r[a] + s[b]} and {@code sigmoid(x) = 1 / (1 +
   * e^-r[a] e^-s[b])} (the derivative of softplus), {@code rowAdj[a] += coef * sum_b w[wOff + a * cols + b] *
   * sigmoid(x)} and {@code colAdj[b] += coef * sum_a w[wOff + a * cols + b] * sigmoid(x)}, given {@code rMinus,
   * sMinus} from {@link #expBoth}. One division per entry, no exponential.
   */
  void sigmoidAdjoints(double[] w, int wOff, int rows, int cols, double[] rMinus, int rOff, double[] sMinus,
      int sOff, double coef, double[] rowAdj, double[] colAdj);

  /** Padding each element's column arrays must have after its {@code cols} entries. */
  int COLUMN_PADDING = 8;
}
