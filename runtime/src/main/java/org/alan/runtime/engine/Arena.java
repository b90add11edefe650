package org.alan.runtime.engine;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses the large scratch arrays of a run in the next run of the same engine: a fresh 100 MB array costs its
 * zeroing and page faults every time, a recycled one only the writes the run makes anyway. Thread-safe.
 */
final class Arena {
  private final Map<Integer, ArrayDeque<double[]>> free = new HashMap<>();

  /** An array of exactly {@code length} entries, recycled or new; {@code zeroed} clears a recycled one. */
  synchronized double[] take(int length, boolean zeroed) {
    ArrayDeque<double[]> pool = free.get(length);
    double[] a = pool == null ? null : pool.poll();
    if (a == null) {
      return new double[length];
    }
    if (zeroed) {
      Arrays.fill(a, 0.0);
    }
    return a;
  }

  synchronized void give(double[] a) {
    if (a != null) {
      free.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
    }
  }

  synchronized void giveAll(double[][][] arrays) {
    for (double[][] group : arrays) {
      if (group != null) {
        for (double[] a : group) {
          give(a);
        }
      }
    }
  }
}
