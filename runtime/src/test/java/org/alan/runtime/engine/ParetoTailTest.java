package org.alan.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParetoTailTest {
  private static final int K = 1000;

  /** PSIS's prior pulls the fitted shape towards 0.5 by (m k + 5) / (m + 10), m the tail length. */
  private static double adjusted(double k) {
    int m = ParetoTail.tailLength(K);
    return (m * k + 5) / (m + 10);
  }

  /**
   * Weights U^(-k) have a Pareto tail of shape k exactly: the mean k-hat over 400 sets of K = 1000 weights recovers
   * it. One set's k-hat has an sd of about (1 + k) / sqrt(95) (0.1 to 0.23 here), the mean's 0.012 at most: the
   * tolerance 0.05 is 4 standard errors.
   */
  @Test
  void recoversTheShapeOfParetoWeights() {
    SplittableRandom random = new SplittableRandom(7);
    for (double shape : new double[] {0.0001, 0.3, 0.6, 0.9, 1.3}) {
      int sets = 400;
      double sum = 0;
      for (int s = 0; s < sets; s++) {
        double[] w = new double[K];
        for (int i = 0; i < K; i++) {
          w[i] = Math.pow(1 - random.nextDouble(), -shape);
        }
        sum += ParetoTail.khat(w, 0, K);
      }
      assertEquals(adjusted(shape), sum / sets, 0.05, "mean k-hat of Pareto(" + shape + ") weights");
    }
  }

  @Test
  void lightTailsAreGoodAndHeavyOnesAreFlagged() {
    SplittableRandom random = new SplittableRandom(3);
    double[] light = new double[K];
    double[] lognormal = new double[K];
    for (int i = 0; i < K; i++) {
      double z = gaussian(random);
      light[i] = Math.exp(0.3 * z);
      lognormal[i] = Math.exp(3 * z);
    }
    assertTrue(ParetoTail.khat(light, 0, K) < 0.5, "light-tailed weights: " + ParetoTail.khat(light, 0, K));
    // log-normal weights with sigma 3 (a proposal far too narrow) look heavy-tailed at K = 1000
    assertTrue(ParetoTail.khat(lognormal, 0, K) > ParetoTail.UNRELIABLE,
        "log-normal(3) weights: " + ParetoTail.khat(lognormal, 0, K));
  }

  @Test
  void scaleAndOffsetDoNotMatter() {
    SplittableRandom random = new SplittableRandom(11);
    double[] w = new double[K + 3];
    double sum = 0;
    for (int i = 3; i < K + 3; i++) {
      w[i] = Math.pow(1 - random.nextDouble(), -0.8);
      sum += w[i];
    }
    double[] normalised = new double[K];
    for (int i = 0; i < K; i++) {
      normalised[i] = w[i + 3] / sum;
    }
    assertEquals(ParetoTail.khat(w, 3, K), ParetoTail.khat(normalised, 0, K), 1e-9);
  }

  @Test
  void degenerateWeights() {
    double[] flat = new double[K];
    java.util.Arrays.fill(flat, 1.0 / K);
    assertTrue(Double.isNaN(ParetoTail.khat(flat, 0, K)), "equal weights have no tail");
    double[] one = new double[K];
    one[17] = 1;
    assertEquals(Double.POSITIVE_INFINITY, ParetoTail.khat(one, 0, K), "one particle holds all the weight");
    assertTrue(Double.isNaN(ParetoTail.khat(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0, 10)),
        "K = 10 has too few tail weights");
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
