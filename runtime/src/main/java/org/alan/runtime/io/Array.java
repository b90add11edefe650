package org.alan.runtime.io;

import java.util.Arrays;

/** A dense array of numbers: values in row-major order and the extent of each axis. */
public record Array(double[] values, int[] dims) {
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
