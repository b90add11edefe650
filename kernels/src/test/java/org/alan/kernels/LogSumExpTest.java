package org.alan.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vectorised loops against the scalar ones and against a direct two-pass log-sum-exp. */
class LogSumExpTest {
  private static final int N = 37; // not a multiple of any vector width: tails run too

  private static double[][] blocks(long seed) {
    Random r = new Random(seed);
    double[][] x = new double[12][N];
    for (double[] row : x) {
      for (int i = 0; i < N; i++) {
        double u = r.nextDouble();
        row[i] = u < 0.1 ? Double.NEGATIVE_INFINITY : u < 0.15 ? -800 + r.nextGaussian() : 50 * r.nextGaussian();
      }
    }
    // a column that is minus infinity throughout, and one that is huge
    for (double[] row : x) {
      row[3] = Double.NEGATIVE_INFINITY;
      row[4] = 1e5 + row[5];
    }
    return x;
  }

  @Test
  void streamedUpdateEqualsTwoPassLogSumExp() {
    assertTrue(LogSumExp.vectorised(), "tests run with the Vector API module");
    double[][] x = blocks(1);
    for (LseOps ops : new LseOps[] {LogSumExp.scalar(), LogSumExp.active()}) {
      double[] max = new double[N];
      double[] sum = new double[N];
      LogSumExp.reset(max, sum, 0, N);
      for (double[] row : x) {
        ops.update(max, sum, 0, row, 0, N);
      }
      double[] out = new double[N];
      ops.finish(max, sum, 0, out, 0, N);
      for (int i = 0; i < N; i++) {
        double[] column = new double[x.length];
        for (int b = 0; b < x.length; b++) {
          column[b] = x[b][i];
        }
        double exact = LogSumExp.scalar().logSumExp(column, 0, column.length);
        if (exact == Double.NEGATIVE_INFINITY) {
          assertEquals(Double.NEGATIVE_INFINITY, out[i], ops.getClass().getSimpleName() + " column " + i);
        } else {
          assertEquals(exact, out[i], 1e-12 * Math.max(1, Math.abs(exact)), ops.getClass().getSimpleName() + " " + i);
        }
      }
    }
  }

  @Test
  void nanPropagates() {
    for (LseOps ops : new LseOps[] {LogSumExp.scalar(), LogSumExp.active()}) {
      double[] max = new double[N];
      double[] sum = new double[N];
      LogSumExp.reset(max, sum, 0, N);
      double[] row = new double[N];
      row[7] = Double.NaN;
      ops.update(max, sum, 0, row, 0, N);
      ops.update(max, sum, 0, new double[N], 0, N);
      double[] out = new double[N];
      ops.finish(max, sum, 0, out, 0, N);
      assertTrue(Double.isNaN(out[7]), ops.getClass().getSimpleName());
      assertEquals(Math.log(2), out[6], 1e-15);
    }
  }

  @Test
  void softmaxAdjointAndSumsAgree() {
    Random r = new Random(5);
    double[] x = new double[N];
    double[] lse = new double[N];
    double[] adj = new double[N];
    for (int i = 0; i < N; i++) {
      x[i] = r.nextGaussian();
      lse[i] = x[i] + Math.abs(r.nextGaussian());
      adj[i] = i % 5 == 0 ? 0 : r.nextDouble();
    }
    double[] a = new double[N];
    double[] b = new double[N];
    LogSumExp.scalar().softmaxAdjoint(x, 0, lse, 0, adj, 0, a, 0, N);
    LogSumExp.active().softmaxAdjoint(x, 0, lse, 0, adj, 0, b, 0, N);
    for (int i = 0; i < N; i++) {
      assertEquals(adj[i] * Math.exp(x[i] - lse[i]), a[i], 1e-15);
      assertEquals(a[i], b[i], 1e-15);
    }
    assertEquals(LogSumExp.scalar().sum(a, 0, N), LogSumExp.active().sum(a, 0, N), 1e-13);
    assertEquals(LogSumExp.scalar().max(x, 0, N), LogSumExp.active().max(x, 0, N));
  }
}
