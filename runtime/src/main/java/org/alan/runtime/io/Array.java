package org.alan.runtime.io;

import java.util.Arrays;

/**
 * A dense array of numbers: values in row-major order and the extent of each axis; or an array ragged along its
 * second axis ({@code [[1.2, 0.3], [0.5], [2.0, 1.1, 0.7]]}), held as its rows one after another.
 *
 * @param dims the extents; for a ragged array, the number of rows in all, then the extents inside a row
 * @param runs for a ragged array, the number of rows of each element of the first axis; null otherwise
 */
public record Array(double[] values, int[] dims, int[] runs) {
  public Array(double[] values, int[] dims) {
    this(values, dims, null);
  }

  public Array {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException("dims " + Arrays.toString(dims) + " do not hold " + values.length + " values");
    }
  }

  public static Array scalar(double v) {
    return new Array(new double[] {v}, new int[0]);
  }

  public int rank() {
    return dims.length;
  }
}
