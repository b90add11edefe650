package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.junit.jupiter.api.Test;

/** Vector literals as distribution arguments: a Dirichlet's concentration, per-coordinate prior scales. */
class VectorLiteralTest {
  @Test
  void aDirichletWithALiteralConcentrationIsConjugate() {
    String source = """
        model Dice {
          p[3] ~ Dirichlet([1, 2, 3]);
          plate rolls { data x ~ Categorical(p); }
        }
        """;
    // counts 1, 2, 4: the posterior is Dirichlet(2, 4, 7), the evidence B(2, 4, 7) / B(1, 2, 3)
    Posterior p = Models.bind(source, "{\"x\": [0, 1, 1, 2, 2, 2, 2]}").sample(SampleOptions.of(20000, 1),
        Progress.NONE);
    double[] a = {2, 4, 7};
    double[] mean = p.means("p");
    for (int i = 0; i < 3; i++) {
      double exact = a[i] / 13;
      double sd = Math.sqrt(exact * (1 - exact) / 14);
      assertEquals(exact, mean[i], 5 * sd / Math.sqrt(p.ess("p")), "p[" + (i + 1) + "]");
    }
    double logEvidence = Analytic.logMultivariateBeta(a) - Analytic.logMultivariateBeta(new double[] {1, 2, 3});
    assertEquals(logEvidence, p.logMarginalLikelihood(), 0.02);
  }

  @Test
  void literalScalesApplyPerCoordinate() {
    String source = """
        model Scales {
          beta[2] ~ Normal([0, 1], [10, 0.5]);
          plate rows { data y ~ Normal(beta[1], 100); }
        }
        """;
    // the data say almost nothing: the posterior is the prior, coordinate by coordinate
    Posterior p = Models.bind(source, "{\"y\": [0.1]}").sample(SampleOptions.of(20000, 2), Progress.NONE);
    assertEquals(10, p.sds("beta")[0], 0.3);
    assertEquals(1, p.means("beta")[1], 0.02);
    assertEquals(0.5, p.sds("beta")[1], 0.02);
  }

  @Test
  void aSliceIsTheElementsItNames() {
    String sliced = """
        model Sliced {
          beta[4] ~ Normal(0, 1);
          plate rows {
            input x[2];
            data y ~ Normal(beta[1] + dot(x, beta[2:3]) + sum(beta[4:]) - sum(beta[:1]), 1);
          }
        }
        """;
    String written = sliced.replace("dot(x, beta[2:3]) + sum(beta[4:]) - sum(beta[:1])",
        "x[1] * beta[2] + x[2] * beta[3] + beta[4] - beta[1]");
    String data = "{\"x\": [[0.5, 1.0], [-1.0, 2.0], [0.3, 0.1]], \"y\": [1.0, 2.5, 0.2]}";
    Posterior a = Models.bind(sliced, data).sample(SampleOptions.of(300, 4), Progress.NONE);
    Posterior b = Models.bind(written, data).sample(SampleOptions.of(300, 4), Progress.NONE);
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 1e-9);
    assertEquals(b.means("beta")[2], a.means("beta")[2], 1e-9);
  }

}
