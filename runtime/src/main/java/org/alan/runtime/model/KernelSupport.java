package org.alan.runtime.model;

import java.util.Arrays;

/** Helpers generated kernels call for the operations that are not worth inlining. */
public final class KernelSupport {
  private KernelSupport() {}

  /**
   * {@code dst = log mean exp(src)} over the axes flagged in {@code reduce}: {@code src} has {@code rank} axes of
   * extent K (row-major), {@code dst} the unflagged ones in the same order. This is the log density of the
   * mixture proposal over a group's guide parents (spec section 2.3).
   */
  public static void logMeanExp(double[] src, int k, boolean[] reduce, double[] dst) {
    int rank = reduce.length;
    int reduced = 0;
    for (boolean r : reduce) {
      reduced += r ? 1 : 0;
    }
    int keptSize = dst.length;
    double[] max = new double[keptSize];
    double[] sum = new double[keptSize];
    Arrays.fill(max, Double.NEGATIVE_INFINITY);
    int[] idx = new int[rank];
    // pass 1: maxima
    for (int flat = 0; flat < src.length; flat++) {
      int kept = keptIndex(idx, reduce, k);
      double v = src[flat];
      if (v > max[kept] || Double.isNaN(v)) {
        max[kept] = v;
      }
      increment(idx, k);
    }
    Arrays.fill(idx, 0);
    for (int flat = 0; flat < src.length; flat++) {
      int kept = keptIndex(idx, reduce, k);
      double m = max[kept];
      if (m != Double.NEGATIVE_INFINITY) {
        sum[kept] += Math.exp(src[flat] - m);
      }
      increment(idx, k);
    }
    double logCount = reduced * Math.log(k);
    for (int i = 0; i < keptSize; i++) {
      dst[i] = max[i] == Double.NEGATIVE_INFINITY ? max[i] : max[i] + Math.log(sum[i]) - logCount;
    }
  }

  private static int keptIndex(int[] idx, boolean[] reduce, int k) {
    int kept = 0;
    for (int i = 0; i < idx.length; i++) {
      if (!reduce[i]) {
        kept = kept * k + idx[i];
      }
    }
    return kept;
  }

  private static void increment(int[] idx, int k) {
    for (int i = idx.length - 1; i >= 0; i--) {
      if (++idx[i] < k) {
        return;
      }
      idx[i] = 0;
    }
  }

  /**
   * The number of entries the engine asks a kernel for at once: whole rows of K, about 2048 entries, so that a
   * tile and the operands it reads stay in the first cache levels while the summed dimensions stream by.
   */
  public static int tileSize(int k) {
    return k * Math.max(1, 2048 / k);
  }

  /** {@code K^n}. */
  public static int pow(int k, int n) {
    int r = 1;
    for (int i = 0; i < n; i++) {
      r *= k;
    }
    return r;
  }
}
