package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * An input the model computes when its data are bound (a vector literal, or Stan's transformed data along a plate):
 * {@code lag(x, k)}, {@code lag(x, k, init)}, {@code cumsum(x)} of an expression {@code x} of inputs and observed
 * data, and the 0/1 mask that makes an observation reading a lag without an initial value start after the
 * elements the lag has no value for (Stan's {@code for (t in (K + 1):T)}). Each is a hidden input variable of id
 * {@code input}, in the plate it runs along; the lag and the running sum stay within each element of the
 * enclosing plates (a series per element), in the engine's element order (rows grouped by an index keep their
 * order within each group).
 *
 * @param source what is lagged or summed (null for a mask)
 * @param lag k for a lag; for a mask, the number of leading elements it zeroes; for a matrix function, the order
 *     of the matrix
 * @param init the value of the first {@code lag} elements of a lag, NaN for none
 * @param plate the plate it runs along
 * @param missing how many leading elements of each series hold no value (a lag without init, or one of such a
 *     value): observations reading it are masked that far
 * @param text how the source wrote it ({@code lag(y, 1)}), for messages
 * @param values a constant's numbers in row-major order (a vector literal {@code [1, 2, 3]}, or the selection
 *     matrix of a slice), a top-level input; null otherwise
 * @param constantShape the constant's shape; null otherwise
 */
public record TransformIr(int input, Kind kind, Ex source, int lag, double init, int plate, int missing, String text,
    SourceSpan span, double[] values, Shape constantShape) {
  /** What the input computes. */
  public enum Kind {
    LAG, CUMSUM, MASK, CONSTANT,
    /** The lower Cholesky factor of a covariance matrix. */
    CHOLESKY,
    /** A lower-triangular matrix with a positive diagonal, checked and passed on. */
    LOWER_TRIANGULAR,
    /** The inverse of a lower-triangular matrix. */
    INVERSE_TRIANGULAR,
    /** The log determinant of a lower-triangular matrix: the sum of the logs of its diagonal. */
    LOG_DET_TRIANGULAR
  }

  public TransformIr {
    Objects.requireNonNull(kind, "kind is null");
    Objects.requireNonNull(text, "text is null");
    Objects.requireNonNull(span, "span is null");
  }

  /**
   * For each plate, the most leading elements without a value among the computed inputs a distribution reads:
   * an observation of it is masked that far along that plate.
   */
  public static java.util.Map<Integer, Integer> missingByPlate(DistIr dist, java.util.List<TransformIr> transforms) {
    return missingByPlate(ExWalker.variables(dist), transforms);
  }

  /** The same for the variables an expression reads ({@code target +=} terms). */
  public static java.util.Map<Integer, Integer> missingByPlate(Ex value, java.util.List<TransformIr> transforms) {
    return missingByPlate(ExWalker.variables(value), transforms);
  }

  private static java.util.Map<Integer, Integer> missingByPlate(java.util.Set<Integer> read,
      java.util.List<TransformIr> transforms) {
    java.util.Map<Integer, Integer> out = new java.util.TreeMap<>();
    for (TransformIr t : transforms) {
      if (read.contains(t.input()) && t.missing() > 0) {
        out.merge(t.plate(), t.missing(), Math::max);
      }
    }
    return out;
  }

  public Shape shape() {
    return constantShape != null ? constantShape
        : source == null || kind == Kind.LOG_DET_TRIANGULAR ? Shape.of() : source.shape();
  }
}
