package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.DataException;
import org.alan.runtime.model.CompiledModel;
import org.apache.commons.numbers.gamma.LogGamma;
import org.junit.jupiter.api.Test;

/** Multinomial counts: conjugate to a Dirichlet, so the posterior and the evidence are exact. */
class MultinomialTest {
  static final String SOURCE = """
      model Counts {
        p[3] ~ Dirichlet([1, 2, 1]);
        plate rows {
          input n;
          data y[3] ~ Multinomial(n, p);
        }
      }
      """;
  static final String DATA = "{\"n\": [6, 4], \"y\": [[1, 2, 3], [0, 4, 0]]}";

  @Test
  void dirichletMultinomialIsExact() {
    Posterior p = Models.bind(SOURCE, DATA).sample(SampleOptions.of(20000, 1), Progress.NONE);
    // counts 1, 6, 3 on Dirichlet(1, 2, 1): the posterior is Dirichlet(2, 8, 4)
    double[] a = {2, 8, 4};
    for (int i = 0; i < 3; i++) {
      double exact = a[i] / 14;
      double sd = Math.sqrt(exact * (1 - exact) / 15);
      assertEquals(exact, p.means("p")[i], 5 * sd / Math.sqrt(p.ess("p")), "p[" + (i + 1) + "]");
    }
    double coefficients = LogGamma.value(7) - LogGamma.value(2) - LogGamma.value(3) - LogGamma.value(4)
        + LogGamma.value(5) - LogGamma.value(1) - LogGamma.value(5) - LogGamma.value(1);
    double exact = coefficients + Analytic.logMultivariateBeta(a)
        - Analytic.logMultivariateBeta(new double[] {1, 2, 1});
    assertEquals(exact, p.logMarginalLikelihood(), 0.02);
  }

  @Test
  void logitsGiveTheSameLikelihood() {
    String logits = """
        model Fixed {
          mu ~ Normal(0, 1);
          plate rows { data y[3] ~ Multinomial(5, logits = [0.2, -1, 0.5]); data z ~ Normal(mu, 1); }
        }
        """;
    String probs = logits.replace("logits = [0.2, -1, 0.5]", "[" + Math.exp(0.2) + ", " + Math.exp(-1) + ", "
        + Math.exp(0.5) + "]");
    String data = "{\"y\": [[2, 0, 3], [1, 1, 3]], \"z\": [0.1, 0.3]}";
    double a = Models.bind(logits, data).sample(SampleOptions.of(100, 1), Progress.NONE).logMarginalLikelihood();
    double b = Models.bind(probs, data).sample(SampleOptions.of(100, 1), Progress.NONE).logMarginalLikelihood();
    assertEquals(a, b, 1e-9);
  }

  @Test
  void countsMustSumToTheTotal() {
    DataException e = assertThrows(DataException.class,
        () -> Models.bind(SOURCE, "{\"n\": [6, 4], \"y\": [[1, 2, 3], [0, 3, 0]]}"));
    assertTrue(e.getMessage().contains("sums to 3; the counts of a Multinomial must sum to its total count, 4"),
        e.getMessage());
  }

  @Test
  void countsThatCannotSumToAComputedTotalAreImpossible() {
    String source = """
        model Doubled {
          p[3] ~ Dirichlet([1, 1, 1]);
          plate rows { input n; data y[3] ~ Multinomial(2 * n, p); }
        }
        """;
    Model m = Models.bind(source, "{\"n\": [5, 5], \"y\": [[1, 2, 3], [4, 4, 4]]}");
    assertThrows(org.alan.runtime.engine.InferenceException.class,
        () -> m.sample(SampleOptions.of(100, 1), Progress.NONE));
  }

  @Test
  void categoriesWithoutMassDrawNoCounts() {
    String source = """
        model Sparse {
          plate rows { input n; data y[4] ~ Multinomial(n, [0.5, 0.5, 0, 0]); }
          mu ~ Normal(0, 1);
        }
        """;
    double[] y = Simulator.run(Models.compile(source), Models.data("{\"n\": [7, 3]}"), Map.of(), 2).data().get("y")
        .values();
    assertEquals(7, y[0] + y[1], 0);
    assertEquals(0, y[2] + y[3], 0);
    assertEquals(3, y[4] + y[5], 0);
  }

  @Test
  void simulatedCountsSumToTheTotal() {
    CompiledModel model = Models.compile(SOURCE);
    double[] y = Simulator.run(model, Models.data("{\"n\": [7, 3, 10]}"), Map.of(), 5).data().get("y").values();
    int[] n = {7, 3, 10};
    for (int r = 0; r < 3; r++) {
      assertEquals(n[r], y[3 * r] + y[3 * r + 1] + y[3 * r + 2], 0);
    }
  }

}
