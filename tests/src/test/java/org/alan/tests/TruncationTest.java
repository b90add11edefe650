package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataException;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * {@code T[lower, upper]}: truncated priors and truncated observations, against one-dimensional integrals of the
 * exact posterior, and a truncation that only restates a support (Normal(0, s) T[0, ] is HalfNormal(s)).
 */
class TruncationTest {
  static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);

  @Test
  void aNormalTruncatedAtZeroIsAHalfNormal() {
    String truncated = """
        model M {
          sigma ~ Normal(0, 5) T[0, ];
          plate rows { data y ~ Normal(0, sigma); }
        }
        """;
    String half = truncated.replace("Normal(0, 5) T[0, ]", "HalfNormal(5)");
    String data = "{\"y\": [1.5, -0.3, 2.2, 0.7]}";
    Posterior a = Models.bind(truncated, data).sample(SampleOptions.of(500, 1), Progress.NONE);
    Posterior b = Models.bind(half, data).sample(SampleOptions.of(500, 1), Progress.NONE);
    // the same target and proposal family; only the fitted guides differ (the priors' samplers start them)
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 0.02);
  }

  @Test
  void truncatedObservationsMatchTheIntegral() {
    String source = """
        model M {
          mu ~ Normal(0, 1);
          plate rows { data y ~ Normal(mu, 1) T[0, ]; }
        }
        """;
    double[] y = {0.2, 1.4, 0.05, 0.9, 2.1};
    // p(mu | y) is N(mu; 0, 1) prod N(y; mu, 1) / Phi(mu)
    DoubleUnaryOperator logPost = mu -> {
      double s = -0.5 * mu * mu - 0.5 * Math.log(2 * Math.PI);
      for (double v : y) {
        s += STANDARD.logDensity(v - mu) - Math.log(STANDARD.cumulativeProbability(mu));
      }
      return s;
    };
    Posterior p = Models.bind(source, "{\"y\": [0.2, 1.4, 0.05, 0.9, 2.1]}").sample(SampleOptions.of(20000, 2),
        Progress.NONE);
    Analytic.assertMatchesIntegral(p, "mu", logPost, -8, 8);
  }

  @Test
  void aPriorTruncatedOnBothSidesMatchesTheIntegral() {
    String source = """
        model M {
          x ~ Normal(0, 1) T[-1, 2];
          plate rows { data y ~ Normal(x, 0.5); }
        }
        """;
    double[] y = {1.8, 2.4};
    double mass = STANDARD.cumulativeProbability(2) - STANDARD.cumulativeProbability(-1);
    DoubleUnaryOperator logPost = x -> {
      double s = STANDARD.logDensity(x) - Math.log(mass);
      for (double v : y) {
        s += NormalDistribution.of(x, 0.5).logDensity(v);
      }
      return s;
    };
    Posterior p = Models.bind(source, "{\"y\": [1.8, 2.4]}").sample(SampleOptions.of(20000, 3), Progress.NONE);
    Analytic.assertMatchesIntegral(p, "x", logPost, -1, 2);
    double[] q = p.quantiles("x", new double[] {0, 1})[0];
    assertTrue(q[0] >= -1, "no particle below the truncation: " + q[0]);
  }

  @Test
  void aWideUniformScaleGetsAFittedProposal() {
    // sigma ~ Uniform(0, 100) as Gelman and Hill write it: the posterior is 100 times narrower than the prior, so
    // the prior as proposal would leave a handful of particles; the automatic guide fits a Beta scaled to [0, 100]
    String source = """
        model M {
          sigma ~ Uniform(0, 100);
          plate rows { data y ~ Normal(3, sigma); }
        }
        """;
    java.util.Random random = new java.util.Random(8);
    double[] y = new double[60];
    StringBuilder json = new StringBuilder("{\"y\": [");
    for (int i = 0; i < y.length; i++) {
      y[i] = 3 + 2.5 * random.nextGaussian();
      json.append(i > 0 ? ", " : "").append(y[i]);
    }
    DoubleUnaryOperator logPost = s -> {
      double out = -Math.log(100);
      for (double v : y) {
        out += NormalDistribution.of(3, s).logDensity(v);
      }
      return out;
    };
    org.alan.runtime.api.Model m = Models.bind(source, json.append("]}").toString());
    org.alan.runtime.learn.FitOptions fit = new org.alan.runtime.learn.FitOptions(
        org.alan.runtime.learn.FitMethod.QEM, 1000, 100, org.alan.runtime.learn.FitMethod.QEM.defaultLr(), 1, 0,
        org.alan.runtime.engine.ParentSampler.PERMUTATION);
    Posterior p = m.sampleFitted(SampleOptions.of(1000, 1), fit, Progress.NONE).posterior();
    assertTrue(p.ess("sigma") > 800, "ESS " + p.ess("sigma") + " of 1000");
    Analytic.assertMatchesIntegral(p, "sigma", logPost, 0.5, 10);
  }

  @Test
  void aBugsStylePrecisionPriorIsFitted() {
    // Gamma(0.001, 0.001) spreads log tau over hundreds of units: its prior draws underflow to 0, and a proposal
    // matched to them would too (log 0 in a decorrelation gave NaN); the start is kept inside a double's range
    String source = """
        model M {
          tau ~ Gamma(0.001, 0.001);
          m ~ Normal(0, 1);
          plate rows { data y ~ Normal(0, 1 / sqrt(tau)); }
        }
        """;
    double[] y = {0.8, -1.3, 0.4, 2.1, -0.6, 0.9, -1.7, 0.2, 1.1, -0.5};
    double shape = 0.001 + y.length / 2.0;
    double rate = 0.001 + java.util.Arrays.stream(y).map(v -> v * v).sum() / 2;
    StringBuilder json = new StringBuilder("{\"y\": [");
    for (int i = 0; i < y.length; i++) {
      json.append(i > 0 ? ", " : "").append(y[i]);
    }
    org.alan.runtime.api.Model model = Models.bind(source, json.append("]}").toString());
    org.alan.runtime.learn.FitOptions fit = new org.alan.runtime.learn.FitOptions(
        org.alan.runtime.learn.FitMethod.QEM, 1000, 100, org.alan.runtime.learn.FitMethod.QEM.defaultLr(), 2, 0,
        org.alan.runtime.engine.ParentSampler.PERMUTATION);
    Posterior p = model.sampleFitted(SampleOptions.of(2000, 2), fit, Progress.NONE).posterior();
    // tau | y ~ Gamma(0.001 + n / 2, 0.001 + sum y^2 / 2)
    RandomInterceptTest.assertWithin("tau", p.means("tau")[0], p.sds("tau")[0], shape / rate,
        Math.sqrt(shape) / rate, p.ess("tau"));
    RandomInterceptTest.assertWithin("m", p.means("m")[0], p.sds("m")[0], 0, 1, p.ess("m"));
  }

  @Test
  void tailsAndEdgesStayFinite() {
    // far-tail truncations and log CDFs are computed in log space: the terms that read no latent are exact
    String source = """
        model Tails {
          m ~ Normal(0, 1);
          plate far { data v ~ Normal(0, 1) T[9, 10]; data w ~ Normal(0, 1) T[0, ]; }
          plate cens { input c; target += normal_lcdf(c | 0, 1); }
          plate rows { input L; data y ~ Normal(m, 1) T[L, ]; }
        }
        """;
    String data = "{\"v\": [9.5], \"w\": [0.0], \"c\": [-40], \"L\": [-1], \"y\": [0.5]}";
    Posterior p = Models.bind(source, data).sample(SampleOptions.of(20000, 1), Progress.NONE);
    double constant = -2.4157219009238418 + -804.6084420137539 + Math.log(2) + STANDARD.logDensity(0);
    // the rest: m ~ N(0, 1), y = 0.5 ~ N(m, 1) truncated at -1, integrated numerically
    double z = 0;
    for (int i = 0; i <= 200_000; i++) {
      double m = -10 + i * 1e-4;
      z += Math.exp(STANDARD.logDensity(m) + STANDARD.logDensity(0.5 - m)
          - Math.log(STANDARD.survivalProbability(-1 - m))) * 1e-4;
    }
    assertEquals(constant + Math.log(z), p.logMarginalLikelihood(), 4 / Math.sqrt(p.ess("m")));
  }

  @Test
  void halfLinesAndNegativeBoundsOfPositiveFamiliesRun() {
    // a half-line keeps its truncated prior as proposal; a positive family's bound below 0 is its own 0
    String source = """
        model Lines {
          mu ~ Normal(5, 10) T[-5, ];
          s ~ Exponential(1) T[-1, 2];
          plate rows { data y ~ Normal(mu, s); }
        }
        """;
    Posterior p = Models.bind(source, "{\"y\": [1.0, 1.5, 0.7]}").sample(SampleOptions.of(2000, 1),
        Progress.NONE);
    assertTrue(Double.isFinite(p.logMarginalLikelihood()));
    assertTrue(p.quantiles("s", new double[] {0})[0][0] >= 0, "s stays in [0, 2]");
  }

  @Test
  void observationsOutsideTheTruncationAreDataErrors() {
    String source = """
        model M {
          mu ~ Normal(0, 1);
          plate rows { data y ~ Normal(mu, 1) T[0, 10]; }
        }
        """;
    DataException e = assertThrows(DataException.class, () -> Models.bind(source, "{\"y\": [0.5, -0.1]}"));
    assertTrue(e.getMessage().contains("-0.1 is outside the support"), e.getMessage());
  }
}
