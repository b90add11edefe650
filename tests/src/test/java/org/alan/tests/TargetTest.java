package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * {@code target += ...} with Stan's density functions: a likelihood written as a term is the observation it writes
 * out, a censored observation's {@code normal_lccdf} and a mixture's {@code log_mix} match one-dimensional integrals.
 */
class TargetTest {
  static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);

  @Test
  void aTermIsTheObservationItWritesOut() {
    String observed = """
        model M {
          mu ~ Normal(0, 3);
          sigma ~ HalfNormal(2);
          plate rows { data y ~ Normal(mu, sigma); }
        }
        """;
    String term = """
        model M {
          mu ~ Normal(0, 3);
          sigma ~ HalfNormal(2);
          plate rows { input y; target += normal_lpdf(y | mu, sigma); }
        }
        """;
    String data = "{\"y\": [1.2, 0.4, 2.2, 1.9, -0.3]}";
    Posterior a = Models.bind(observed, data).sample(SampleOptions.of(500, 1), Progress.NONE);
    Posterior b = Models.bind(term, data).sample(SampleOptions.of(500, 1), Progress.NONE);
    assertEquals(a.logMarginalLikelihood(), b.logMarginalLikelihood(), 1e-8);
    assertEquals(a.means("mu")[0], b.means("mu")[0], 1e-8);
  }

  @Test
  void censoredObservationsMatchTheIntegral() {
    // three values seen, two known only to exceed 2 (Stan's normal_lccdf for right-censoring)
    String source = """
        model Censored {
          mu ~ Normal(0, 3);
          plate seen { data y ~ Normal(mu, 1); }
          plate censored { input c; target += normal_lccdf(c | mu, 1); }
        }
        """;
    double[] y = {1.1, 2.5, 0.7};
    double[] c = {2, 2};
    DoubleUnaryOperator logJoint = mu -> {
      double s = NormalDistribution.of(0, 3).logDensity(mu);
      for (double v : y) {
        s += STANDARD.logDensity(v - mu);
      }
      for (double v : c) {
        s += Math.log(STANDARD.survivalProbability(v - mu));
      }
      return s;
    };
    Posterior p = Models.bind(source, "{\"y\": [1.1, 2.5, 0.7], \"c\": [2, 2]}").sample(SampleOptions.of(20000, 2),
        Progress.NONE);
    Analytic.assertMatchesIntegral(p, "mu", logJoint, -10, 10);
  }

  @Test
  void aMixtureMarginalisedWithLogMixMatchesTheIntegral() {
    String source = """
        model Mixture {
          theta ~ Beta(2, 2);
          plate rows {
            input y;
            target += log_mix(theta, normal_lpdf(y | -2, 1), normal_lpdf(y | 2, 1));
          }
        }
        """;
    double[] y = {-2.3, 1.8, 2.4, -1.1, 2.9, 1.2, -2.8, 2.2};
    DoubleUnaryOperator logJoint = t -> {
      double s = Math.log(6 * t * (1 - t));
      for (double v : y) {
        s += Math.log(t * STANDARD.density(v + 2) + (1 - t) * STANDARD.density(v - 2));
      }
      return s;
    };
    Posterior p = Models.bind(source, "{\"y\": " + Models.jsonArray(y) + "}").sample(SampleOptions.of(20000, 3),
        Progress.NONE);
    Analytic.assertMatchesIntegral(p, "theta", logJoint, 1e-9, 1 - 1e-9);
  }

  @Test
  void heldOutTermsArePredicted() {
    // predict's default plate is that of the target += terms; the held-out value's log density under the posterior
    // predictive N(mean, 1 + posterior variance) of a Normal mean with a N(0, 3^2) prior
    String source = """
        model M {
          mu ~ Normal(0, 3);
          plate rows { input y; target += normal_lpdf(y | mu, 1); }
        }
        """;
    org.alan.runtime.api.Model m = Models.bind(source, "{\"y\": [0.8, 1.4, 0.2]}");
    Posterior p = m.sample(SampleOptions.of(20000, 4).withDraws(4000), Progress.NONE);
    double precision = 1 / 9.0 + 3;
    double mean = (0.8 + 1.4 + 0.2) / precision;
    double exact = NormalDistribution.of(mean, Math.sqrt(1 + 1 / precision)).logDensity(2.0);
    assertEquals(exact, m.predict(Models.data("{\"y\": [2.0]}"), null, p, 5).total(), 0.02);
  }

  @Test
  void aModelWithTargetTermsIsNotSimulated() {
    String source = """
        model M {
          mu ~ Normal(0, 1);
          plate rows { input y; target += normal_lpdf(y | mu, 1); }
        }
        """;
    InferenceException e = assertThrows(InferenceException.class, () -> Simulator.run(Models.compile(source),
        Models.data("{\"y\": [0.1]}"), Map.of(), 1));
    assertTrue(e.getMessage().contains("target += terms"), e.getMessage());
  }
}
