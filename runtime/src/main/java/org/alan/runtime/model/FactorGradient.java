package org.alan.runtime.model;

/**
 * Generated code that differentiates one log factor (a reverse sweep unrolled per kernel, see the compiler's
 * {@code ReverseMode}); used by one thread at a time.
 */
public interface FactorGradient {
  /**
   * Adds {@code sum over entries of w[woff + entry] * d(log factor entry)/d(input)} for one element of the factor's
   * plate to {@code gz} (laid out like the particles, {@code ModelState.samples}) and {@code gq} (like the
   * parameters). Entries are row-major over the factor's K dimensions in canonical order; entries of weight 0 are
   * skipped.
   */
  void accumulate(int element, double[] w, int woff, double[][] gz, double[][] gq);
}
