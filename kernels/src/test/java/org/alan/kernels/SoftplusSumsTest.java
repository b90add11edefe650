package org.alan.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The product form of a sum of softplus terms against the direct sum of {@code max(x, 0) + log1p(exp(-|x|))}
 * entry by entry, in both implementations: parts across the whole allowed range, enough elements for many runs,
 * column counts that are not multiples of the vector width and ranges starting and ending inside rows.
 */
class SoftplusSumsTest {
  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  @Test
  void productFormEqualsDirectSum() {
    assertTrue(LogSumExp.vectorAvailable(), "tests run with the Vector API module");
    Random random = new Random(7);
    for (int[] shape : new int[][] {{3, 5, 4}, {13, 37, 30}, {1, 7, 9}, {4, 11, 1200}}) {
      int rows = shape[0];
      int cols = shape[1];
      int n = shape[2];
      int stride = cols + SoftplusSums.COLUMN_PADDING;
      double[] r = new double[n * rows];
      double[] s = new double[n * stride];
      for (int i = 0; i < r.length; i++) {
        r[i] = part(random);
      }
      for (int i = 0; i < n; i++) {
        for (int b = 0; b < cols; b++) {
          s[i * stride + b] = part(random);
        }
      }
      int from = rows * cols > 3 ? 2 : 0;
      int to = rows * cols - (rows * cols > 4 ? 1 : 0);
      double[] expected = new double[to - from];
      for (int t = from; t < to; t++) {
        for (int i = 0; i < n; i++) {
          expected[t - from] += -1.5 * softplus(r[i * rows + t / cols] + s[i * stride + t % cols]);
        }
      }
      double[] bound = new double[n];
      for (int i = 0; i < n; i++) {
        double mr = 0;
        double ms = 0;
        for (int a = 0; a < rows; a++) {
          mr = Math.max(mr, Math.abs(r[i * rows + a]));
        }
        for (int b = 0; b < cols; b++) {
          ms = Math.max(ms, Math.abs(s[i * stride + b]));
        }
        bound[i] = mr + ms;
        assertTrue(bound[i] <= SoftplusSums.LIMIT);
      }
      int[] runEnds = new int[n];
      int runs = SoftplusSums.runs(n, bound, runEnds);
      for (boolean vector : new boolean[] {false, true}) {
        SoftplusSums sums = LogSumExp.softplusSums(vector);
        double[] rPlus = new double[r.length];
        double[] rMinus = new double[r.length];
        double[] sPlus = new double[s.length];
        double[] sMinus = new double[s.length];
        sums.expBoth(r, 0, r.length, rPlus, rMinus);
        sums.expBoth(s, 0, s.length, sPlus, sMinus);
        double[] out = new double[to - from + 2];
        java.util.Arrays.fill(out, 0.25);
        sums.add(rPlus, rows, sPlus, stride, cols, runEnds, runs, -1.5, from, to, out, 1);
        assertEquals(0.25, out[0], 0.0, "nothing written before the range");
        assertEquals(0.25, out[out.length - 1], 0.0, "nothing written after the range");
        for (int t = 0; t < expected.length; t++) {
          // the product form rounds once per factor of the product: a few ulps of each element's term
          double tolerance = 1e-14 * n * (1 + Math.abs(expected[t]) / n);
          assertEquals(expected[t], out[t + 1] - 0.25, tolerance,
              (vector ? "vector" : "scalar") + " rows " + rows + " cols " + cols + " n " + n + " entry " + t);
        }
      }
    }
  }

  /** Parts from tiny to half the limit of the product form (a row's and a column's sum to at most it). */
  private static double part(Random random) {
    double u = random.nextDouble();
    if (u < 0.05) {
      return (random.nextBoolean() ? 1 : -1) * SoftplusSums.LIMIT / 2 * random.nextDouble();
    }
    if (u < 0.1) {
      return 1e-9 * random.nextGaussian();
    }
    return 4 * random.nextGaussian();
  }
}
