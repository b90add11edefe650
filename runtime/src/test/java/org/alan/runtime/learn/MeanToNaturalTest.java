package org.alan.runtime.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.numbers.gamma.Digamma;
import org.junit.jupiter.api.Test;

/** The Gamma and Dirichlet inversions recover the parameters exactly, and behave at the boundary. */
class MeanToNaturalTest {
  @Test
  void gammaShapeIsRecoveredOverTwelveOrdersOfMagnitude() {
    for (double shape : new double[] {1e-3, 0.05, 0.5, 1, 7, 1e3, 1e6}) {
      double rate = 2.5;
      double meanLog = Digamma.value(shape) - Math.log(rate);
      double got = MeanToNatural.gammaShape(meanLog, shape / rate);
      // E log x - log E x loses digits for large shapes (it is about -1/(2 shape)): relative precision ~ 1e-16 shape
      assertEquals(shape, got, shape * Math.max(1e-10, 1e-15 * shape * 10), "shape " + shape);
    }
  }

  @Test
  void gammaShapeOfAPointMassIsCapped() {
    assertEquals(MeanToNatural.MAX_CONCENTRATION, MeanToNatural.gammaShape(Math.log(3), 3));
    // rounding can put E log x a hair above log E x: still a point mass, not NaN
    assertEquals(MeanToNatural.MAX_CONCENTRATION, MeanToNatural.gammaShape(Math.log(3) + 1e-16, 3));
  }

  @Test
  void dirichletConcentrationIsRecovered() {
    double[][] cases = {{1, 1, 1}, {0.3, 2, 5, 0.7}, {1e-4, 1, 1}, {50, 80}, {1e5, 2e5, 3e5}, {0.01, 0.02, 0.03}};
    for (double[] alpha : cases) {
      double[] meanLog = meanLogs(alpha);
      double[] got = new double[alpha.length];
      MeanToNatural.dirichlet(meanLog, 0, alpha.length, got, 0);
      for (int c = 0; c < alpha.length; c++) {
        assertEquals(alpha[c], got[c], 1e-7 * alpha[c], java.util.Arrays.toString(alpha) + "[" + c + "]");
      }
    }
  }

  @Test
  void dirichletOfAPointMassIsCappedAndKeepsItsMean() {
    double[] x = {0.2, 0.3, 0.5};
    double[] meanLog = {Math.log(x[0]), Math.log(x[1]), Math.log(x[2])};
    double[] got = new double[3];
    MeanToNatural.dirichlet(meanLog, 0, 3, got, 0);
    double total = got[0] + got[1] + got[2];
    assertTrue(total > 1e6 && total <= MeanToNatural.MAX_CONCENTRATION * (1 + 1e-12), "concentrated: " + total);
    for (int c = 0; c < 3; c++) {
      assertEquals(x[c], got[c] / total, 1e-5, "mean of coordinate " + c);
    }
  }

  @Test
  void inverseDigammaInvertsDigamma() {
    for (double x : new double[] {1e-6, 0.01, 0.5, 1, 3, 100, 1e8}) {
      assertEquals(x, MeanToNatural.inverseDigamma(Digamma.value(x)), 1e-10 * x, "x = " + x);
    }
  }

  private static double[] meanLogs(double[] alpha) {
    double total = 0;
    for (double a : alpha) {
      total += a;
    }
    double[] m = new double[alpha.length];
    for (int c = 0; c < alpha.length; c++) {
      m[c] = Digamma.value(alpha[c]) - Digamma.value(total);
    }
    return m;
  }
}
