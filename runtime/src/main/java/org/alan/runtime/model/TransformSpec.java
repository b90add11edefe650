package org.alan.runtime.model;

/**
 * An input the model computes when its data are bound ({@code lag}, {@code cumsum}, the mask that starts the
 * observations reading a lag without an initial value after its first elements, or a vector literal): hidden input variable
 * {@code input} of {@code plate}, computed along the plate within each element of the enclosing plates, in the
 * engine's element order.
 *
 * @param lag k for a lag; for a mask, the number of leading elements of each series it sets to 0; for a matrix
 *     function (Cholesky factor, inverse, log determinant), the order of the matrix
 * @param init the value of a lag's first k elements, NaN for none (they then repeat the element's own source
 *     value: only masked observations read them)
 * @param readsObserved whether the source reads an observed variable (the model cannot then be simulated)
 * @param text how the model wrote it ({@code lag(y, 1)}), for messages
 * @param line its source line
 * @param values a vector literal's numbers (a top-level constant input); null for the others
 * @param missing how many leading elements of each series hold a placeholder (a lag without an initial value):
 *     only masked observations read them, so they are not checked
 */
public record TransformSpec(int input, Kind kind, int lag, double init, int plate, boolean readsObserved, String text,
    int line, double[] values, int missing) {
  /** What the input computes. */
  public enum Kind {
    LAG, CUMSUM, MASK, CONSTANT,
    /** The lower Cholesky factor of a covariance matrix. */
    CHOLESKY,
    /** A lower-triangular matrix with a positive diagonal, checked and passed on. */
    LOWER_TRIANGULAR,
    /** The inverse of a lower-triangular matrix. */
    INVERSE_TRIANGULAR,
    /** The log determinant of a lower-triangular matrix (the sum of the logs of its diagonal). */
    LOG_DET_TRIANGULAR
  }
}
