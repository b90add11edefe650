package org.alan.kernels;

/**
 * Sums over a plate's elements of {@code softplus(r + s)} on an outer product: the term a Bernoulli (or any
 * softplus) log density contributes when its logit is one part that varies along the leading K dimensions of a
 * factor plus one that varies along the trailing ones, for instance a group effect plus covariate effects.
 *
 * <p>With {@code softplus(x) = max(x, 0) + log1p(exp(-|x|))} and {@code exp(-|r + s|) = min(e^r e^s, e^-r e^-s)},
 * the sum over elements {@code i} of an entry is {@code sum_i max(r_i + s_i, 0) + log prod_i (1 + u_i)} with
 * {@code u_i} in {@code (0, 1]}: the exponentials are taken once per element and part (not per entry), and the
 * logarithm once per entry for up to {@link #PRODUCT_RUN} elements (each factor lies in {@code (1, 2]}, so the
 * product stays finite). Per entry and element that leaves two multiplications, a minimum, a maximum and a
 * fused multiply-add, where the direct form needs an {@code exp} and a {@code log1p}. Rounding differs from the
 * direct form by a few ulps of the sum; a lost {@code u_i} below {@code 2^-53} costs at most that much absolutely.
 * Callers give elements whose parts exceed {@link #LIMIT} in magnitude (or are not finite) to the direct form.
 */
public interface SoftplusSums {
  /** Parts at most this large in magnitude use the product form: {@code exp(2 LIMIT)} is finite. */
  double LIMIT = 300;

  /** Elements folded into one product before its logarithm is taken: {@code 2^512} is finite. */
  int PRODUCT_RUN = 512;

  /** {@code plus[i] = exp(x[i])} and {@code minus[i] = exp(-x[i])} for {@code i} in {@code [off, off + n)}. */
  void expBoth(double[] x, int off, int n, double[] plus, double[] minus);

  /**
   * For the entries {@code t} in {@code [from, to)} of a row-major table with {@code cols} columns:
   * {@code out[off + t - from] += coef * sum_{i < n} softplus(r[i * rowStride + t / cols]
   * + s[i * colStride + t % cols])}, given {@code rPlus, rMinus, sPlus, sMinus} from {@link #expBoth}. The column
   * arrays are readable (and finite) up to {@code cols + 8} entries past each element's start, so that a vector
   * implementation may load whole lane groups.
   */
  void add(int n, double[] r, double[] rPlus, double[] rMinus, int rowStride, double[] s, double[] sPlus,
      double[] sMinus, int colStride, int cols, double coef, int from, int to, double[] out, int off);

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
