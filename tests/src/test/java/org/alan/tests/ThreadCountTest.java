package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.junit.jupiter.api.Test;

/**
 * One worker or several, the same posterior: plates with many elements are split by element, the top level (one
 * element) by tiles of its steps, with per-worker adjoints added in a fixed order.
 */
class ThreadCountTest {
  @Test
  void topLevelTilesGiveTheSameResultOnAnyNumberOfThreads() {
    Model m = Models.bind("""
        model Top {
          a ~ Normal(0, 2);
          b ~ Normal(0, 2);
          c ~ Normal(a + b, 1);
          plate obs { data y ~ Normal(c, 1); }
        }
        """, "{\"y\": [1.2, 0.7, 2.1]}");
    Posterior one = m.sample(SampleOptions.of(300, 8).withThreads(1));
    for (int threads : new int[] {2, 3}) {
      Posterior many = m.sample(SampleOptions.of(300, 8).withThreads(threads));
      assertEquals(one.logMarginalLikelihood(), many.logMarginalLikelihood(), 1e-10, threads + " threads");
      for (String v : new String[] {"a", "b", "c"}) {
        assertEquals(one.mean(v), many.mean(v), 1e-10, v + " with " + threads + " threads");
        assertEquals(one.ess(v), many.ess(v), 1e-8, v + " ESS with " + threads + " threads");
      }
    }
  }
}
