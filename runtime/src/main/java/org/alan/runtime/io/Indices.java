package org.alan.runtime.io;

/** Row-major index arithmetic for labels and messages. */
public final class Indices {
  private Indices() {}

  /** The multi-index of a flat row-major position in an array of the given extents. */
  public static int[] unflatten(int flat, int[] dims) {
    int[] idx = new int[dims.length];
    int rem = flat;
    for (int i = dims.length - 1; i >= 0; i--) {
      idx[i] = rem % dims[i];
      rem /= dims[i];
    }
    return idx;
  }
}
