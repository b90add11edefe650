package org.alan.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RngTest {
  @Test
  void streamsDependOnlyOnSeedAndKey() {
    long a = Rng.stream(7, 1, 2, 3).nextLong();
    Rng.stream(7, 9, 9).nextLong();
    assertEquals(a, Rng.stream(7, 1, 2, 3).nextLong());
    assertNotEquals(a, Rng.stream(7, 1, 2, 4).nextLong());
    assertNotEquals(a, Rng.stream(8, 1, 2, 3).nextLong());
    assertNotEquals(Rng.stream(7, 1, 2).nextLong(), Rng.stream(7, 2, 1).nextLong());
  }

  @Test
  void permutationsArePermutations() {
    int[] p = new int[50];
    Rng.stream(3).permutation(p, 0, 50);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    int[] expected = new int[50];
    Arrays.setAll(expected, i -> i);
    assertArrayEquals(expected, sorted);
  }

  @Test
  void invalidParametersGiveNaN() {
    Rng r = Rng.stream(1);
    assertTrue(Double.isNaN(Samplers.normal(r, 0, -1)));
    assertTrue(Double.isNaN(Samplers.gamma(r, 0, 1)));
    assertTrue(Double.isNaN(Samplers.bernoulliProbs(r, 1.5)));
    assertTrue(Double.isNaN(Samplers.binomialProbs(r, 2.5, 0.5)));
    assertTrue(Double.isNaN(Samplers.categoricalProbs(r, new double[] {0, 0}, 0, 1, 2)));
    assertEquals(0, Samplers.poisson(r, 0));
  }
}
