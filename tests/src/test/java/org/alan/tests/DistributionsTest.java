package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorSpec;
import org.apache.commons.numbers.gamma.LogBeta;
import org.apache.commons.numbers.gamma.LogGamma;
import org.apache.commons.statistics.distribution.BetaDistribution;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.apache.commons.statistics.distribution.CauchyDistribution;
import org.apache.commons.statistics.distribution.ExponentialDistribution;
import org.apache.commons.statistics.distribution.GammaDistribution;
import org.apache.commons.statistics.distribution.GeometricDistribution;
import org.apache.commons.statistics.distribution.LaplaceDistribution;
import org.apache.commons.statistics.distribution.LogisticDistribution;
import org.apache.commons.statistics.distribution.LogNormalDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.apache.commons.statistics.distribution.PascalDistribution;
import org.apache.commons.statistics.distribution.PoissonDistribution;
import org.apache.commons.statistics.distribution.TDistribution;
import org.apache.commons.statistics.distribution.UniformContinuousDistribution;
import org.apache.commons.statistics.distribution.WeibullDistribution;
import org.junit.jupiter.api.Test;

/**
 * Every distribution of the language: its log density, as computed by generated kernels, against Apache Commons
 * Statistics (or the closed form where it has none); and its sampler's mean and variance against the exact ones.
 */
class DistributionsTest {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  static final String DENSITIES = """
      model Densities {
        input weights[3];
        input alpha[3];
        plate rows {
          data normal ~ Normal(0.5, 2);
          data half_normal ~ HalfNormal(1.5);
          data log_normal ~ LogNormal(0.2, 0.7);
          data student ~ StudentT(4, 1, 2);
          data cauchy ~ Cauchy(-1, 0.5);
          data half_cauchy ~ HalfCauchy(2);
          data exponential ~ Exponential(1.5);
          data gamma ~ Gamma(2.5, 0.5);
          data beta ~ Beta(2, 5);
          data uniform ~ Uniform(-1, 3);
          data bernoulli ~ Bernoulli(0.3);
          data bernoulli_logits ~ Bernoulli(logits = -0.4);
          data binomial ~ Binomial(10, 0.35);
          data binomial_logits ~ Binomial(total_count = 10, logits = 0.8);
          data poisson ~ Poisson(3.2);
          data categorical ~ Categorical(weights);
          data categorical_logits ~ Categorical(logits = alpha);
          data simplex[3] ~ Dirichlet(alpha);
          data inverse_gamma ~ InverseGamma(2.5, 1.5);
          data weibull ~ Weibull(1.5, 2);
          data laplace ~ Laplace(1, 2);
          data logistic ~ Logistic(-0.5, 1.5);
          data logit_normal ~ LogitNormal(0.3, 0.8);
          data neg_binomial ~ NegativeBinomial(4, 3);
          data neg_binomial_log ~ NegativeBinomial(log_mean = 1.2, dispersion = 2);
          data beta_binomial ~ BetaBinomial(10, 2, 3);
          data geometric ~ Geometric(0.3);
        }
      }
      """;

  @Test
  void logDensitiesMatchCommonsStatistics() {
    Map<String, double[]> y = new LinkedHashMap<>();
    y.put("normal", new double[] {-3, 0.5, 4.2});
    y.put("half_normal", new double[] {0, 0.7, 3.9});
    y.put("log_normal", new double[] {0.1, 1.2, 7});
    y.put("student", new double[] {-5, 1, 2.5});
    y.put("cauchy", new double[] {-10, -1, 0.3});
    y.put("half_cauchy", new double[] {0, 1, 20});
    y.put("exponential", new double[] {0, 0.4, 5});
    y.put("gamma", new double[] {0.2, 4, 15});
    y.put("beta", new double[] {0.01, 0.3, 0.97});
    y.put("uniform", new double[] {-1, 0.5, 3});
    y.put("bernoulli", new double[] {0, 1, 1});
    y.put("bernoulli_logits", new double[] {1, 0, 0});
    y.put("binomial", new double[] {0, 4, 10});
    y.put("binomial_logits", new double[] {3, 7, 10});
    y.put("poisson", new double[] {0, 3, 11});
    y.put("categorical", new double[] {0, 2, 1});
    y.put("categorical_logits", new double[] {1, 1, 0});
    y.put("inverse_gamma", new double[] {0.05, 1, 12});
    y.put("weibull", new double[] {0.01, 0.8, 6});
    y.put("laplace", new double[] {-7, 1, 2.5});
    y.put("logistic", new double[] {-40, 0, 30});
    y.put("logit_normal", new double[] {0.001, 0.5, 0.97});
    y.put("neg_binomial", new double[] {0, 4, 30});
    y.put("neg_binomial_log", new double[] {0, 2, 17});
    y.put("beta_binomial", new double[] {0, 4, 10});
    y.put("geometric", new double[] {0, 2, 15});
    double[][] simplex = {{0.2, 0.3, 0.5}, {0.9, 0.05, 0.05}, {1.0 / 3, 1.0 / 3, 1.0 / 3}};
    double[] weights = {1, 2, 5};
    double[] alpha = {0.7, 2, 3.5};
    StringBuilder json = new StringBuilder("{\"weights\": [1, 2, 5], \"alpha\": [0.7, 2, 3.5], ");
    json.append("\"simplex\": ").append(Arrays.deepToString(simplex));
    y.forEach((name, values) -> json.append(", \"").append(name).append("\": ").append(Arrays.toString(values)));
    json.append('}');

    Map<String, DoubleUnaryOperator> exact = new LinkedHashMap<>();
    exact.put("normal", NormalDistribution.of(0.5, 2)::logDensity);
    exact.put("half_normal", x -> Math.log(2) + NormalDistribution.of(0, 1.5).logDensity(x));
    exact.put("log_normal", LogNormalDistribution.of(0.2, 0.7)::logDensity);
    exact.put("student", x -> TDistribution.of(4).logDensity((x - 1) / 2) - Math.log(2));
    exact.put("cauchy", CauchyDistribution.of(-1, 0.5)::logDensity);
    exact.put("half_cauchy", x -> Math.log(2) + CauchyDistribution.of(0, 2).logDensity(x));
    exact.put("exponential", ExponentialDistribution.of(1 / 1.5)::logDensity);
    exact.put("gamma", GammaDistribution.of(2.5, 1 / 0.5)::logDensity);
    exact.put("beta", BetaDistribution.of(2, 5)::logDensity);
    exact.put("uniform", UniformContinuousDistribution.of(-1, 3)::logDensity);
    exact.put("bernoulli", x -> BinomialDistribution.of(1, 0.3).logProbability((int) x));
    exact.put("bernoulli_logits", x -> BinomialDistribution.of(1, sigmoid(-0.4)).logProbability((int) x));
    exact.put("binomial", x -> BinomialDistribution.of(10, 0.35).logProbability((int) x));
    exact.put("binomial_logits", x -> BinomialDistribution.of(10, sigmoid(0.8)).logProbability((int) x));
    exact.put("poisson", x -> PoissonDistribution.of(3.2).logProbability((int) x));
    exact.put("categorical", x -> Math.log(weights[(int) x] / 8.0));
    exact.put("categorical_logits", x -> alpha[(int) x] - logSumExp(alpha));
    // Stan's inv_gamma(2.5, 1.5): the closed form
    exact.put("inverse_gamma", x -> 2.5 * Math.log(1.5) - LogGamma.value(2.5) - 3.5 * Math.log(x) - 1.5 / x);
    exact.put("weibull", WeibullDistribution.of(1.5, 2)::logDensity);
    exact.put("laplace", LaplaceDistribution.of(1, 2)::logDensity);
    exact.put("logistic", LogisticDistribution.of(-0.5, 1.5)::logDensity);
    exact.put("logit_normal", x -> NormalDistribution.of(0.3, 0.8).logDensity(Math.log(x / (1 - x)))
        - Math.log(x) - Math.log1p(-x));
    // neg_binomial_2(mu, phi) with an integer phi is the Pascal law of failures with r = phi, p = phi / (mu + phi)
    exact.put("neg_binomial", x -> PascalDistribution.of(3, 3.0 / 7).logProbability((int) x));
    exact.put("neg_binomial_log", x -> {
      double mu = Math.exp(1.2);
      return PascalDistribution.of(2, 2 / (mu + 2)).logProbability((int) x);
    });
    exact.put("beta_binomial", x -> BinomialDistribution.of(10, 0.5).logProbability((int) x)
        - 10 * Math.log(0.5) + LogBeta.value(x + 2, 10 - x + 3) - LogBeta.value(2, 3));
    exact.put("geometric", x -> GeometricDistribution.of(0.3).logProbability((int) x));

    CompiledModel compiled = Models.compile(DENSITIES);
    Model model = Models.bind(compiled, json.toString());
    Posterior p = model.sample(SampleOptions.of(2, 1));
    FactorSpec[] factors = compiled.spec().factors();
    int checked = 0;
    for (int f = 0; f < factors.length; f++) {
      String name = factors[f].name();
      for (int e = 0; e < 3; e++) {
        double value = FactorValues.of(compiled, p.state(), f, e)[0];
        double expected = name.equals("simplex") ? logDirichlet(simplex[e], alpha) : exact.get(name).applyAsDouble(y.get(name)[e]);
        assertEquals(expected, value, 1e-12 * (1 + Math.abs(expected)), name + " at row " + e);
        checked++;
      }
    }
    assertEquals(3 * 27, checked);
  }

  static final String DRAWS = """
      model Draws {
        input weights[3];
        input alpha[3];
        normal ~ Normal(0.5, 2);
        half_normal ~ HalfNormal(1.5);
        log_normal ~ LogNormal(0.2, 0.4);
        student ~ StudentT(6, 1, 2);
        exponential ~ Exponential(1.5);
        gamma ~ Gamma(2.5, 0.5);
        small_gamma ~ Gamma(0.3, 2);
        beta ~ Beta(2, 5);
        uniform ~ Uniform(-1, 3);
        bernoulli ~ Bernoulli(0.3);
        bernoulli_logits ~ Bernoulli(logits = -0.4);
        binomial ~ Binomial(10, 0.35);
        big_binomial ~ Binomial(200, 0.1);
        poisson ~ Poisson(3.2);
        big_poisson ~ Poisson(80);
        split_binomial ~ Binomial(1000, 0.7);
        huge_binomial ~ Binomial(1000000000, 0.3);
        huge_poisson ~ Poisson(1e12);
        tiny_beta ~ Beta(0.01, 0.02);
        categorical ~ Categorical(weights);
        simplex[3] ~ Dirichlet(alpha);
        input tiny_alpha[3];
        tiny_simplex[3] ~ Dirichlet(tiny_alpha);
        cauchy ~ Cauchy(-1, 0.5);
        inverse_gamma ~ InverseGamma(5, 2);
        weibull ~ Weibull(1.5, 2);
        laplace ~ Laplace(1, 2);
        logistic ~ Logistic(1, 0.5);
        logit_normal ~ LogitNormal(0.3, 0.8);
        neg_binomial ~ NegativeBinomial(4, 3);
        neg_binomial_log ~ NegativeBinomial(log_mean = 1, dispersion = 2);
        beta_binomial ~ BetaBinomial(10, 2, 3);
        geometric ~ Geometric(0.3);
      }
      """;

  @Test
  void samplersHaveTheRightMeanAndVariance() {
    int k = 40_000;
    Model model = Models.bind(DRAWS + priorAsGuide(DRAWS), "{\"weights\": [1, 2, 5], \"alpha\": [0.7, 2, 3.5],"
        + " \"tiny_alpha\": [0.01, 0.02, 0.03]}");
    Posterior p = model.sample(SampleOptions.of(k, 3));
    moments(p, "normal", 0.5, 4);
    moments(p, "half_normal", 1.5 * SQRT_2_OVER_PI, 2.25 * (1 - 2 / Math.PI));
    double s2 = 0.16;
    moments(p, "log_normal", Math.exp(0.2 + s2 / 2), (Math.exp(s2) - 1) * Math.exp(0.4 + s2));
    moments(p, "student", 1, 4 * 6.0 / 4);
    moments(p, "exponential", 1 / 1.5, 1 / 2.25);
    moments(p, "gamma", 5, 10);
    moments(p, "small_gamma", 0.15, 0.075);
    moments(p, "beta", 2.0 / 7, 10.0 / (49 * 8));
    moments(p, "uniform", 1, 16.0 / 12);
    moments(p, "bernoulli", 0.3, 0.21);
    double q = sigmoid(-0.4);
    moments(p, "bernoulli_logits", q, q * (1 - q));
    moments(p, "binomial", 3.5, 10 * 0.35 * 0.65);
    moments(p, "big_binomial", 20, 18);
    moments(p, "poisson", 3.2, 3.2);
    moments(p, "big_poisson", 80, 80);
    // beyond the direct samplers: beta splitting for binomials, gamma splitting for Poisson means over 1e8
    moments(p, "split_binomial", 700, 210);
    moments(p, "huge_binomial", 3e8, 1e9 * 0.3 * 0.7);
    moments(p, "huge_poisson", 1e12, 1e12);
    // concentrations whose gamma draws underflow: drawn in logs
    moments(p, "tiny_beta", 1.0 / 3, 0.01 * 0.02 / (0.03 * 0.03 * 1.03));
    moments(p, "categorical", (2 + 10) / 8.0, (2 + 20) / 8.0 - 2.25);
    double[] simplex = p.particles("simplex");
    double[] alpha = {0.7, 2, 3.5};
    for (int c = 0; c < 3; c++) {
      double mean = alpha[c] / 6.2;
      double var = mean * (1 - mean) / 7.2;
      double[] coordinate = Arrays.copyOfRange(simplex, c * k, (c + 1) * k);
      checkMoments("simplex[" + c + "]", coordinate, mean, var);
    }
    double[] tiny = p.particles("tiny_simplex");
    for (int c = 0; c < 3; c++) {
      double mean = (c + 1) / 6.0;
      checkMoments("tiny_simplex[" + c + "]", Arrays.copyOfRange(tiny, c * k, (c + 1) * k), mean,
          mean * (1 - mean) / 1.06);
    }
    for (int i = 0; i < k; i++) {
      assertEquals(1, simplex[i] + simplex[k + i] + simplex[2 * k + i], 1e-12, "Dirichlet draws sum to 1");
      assertEquals(1, tiny[i] + tiny[k + i] + tiny[2 * k + i], 1e-12, "tiny Dirichlet draws sum to 1");
    }
    moments(p, "inverse_gamma", 0.5, 4.0 / (16 * 3));
    double g1 = Math.exp(LogGamma.value(1 + 1 / 1.5));
    double g2 = Math.exp(LogGamma.value(1 + 2 / 1.5));
    moments(p, "weibull", 2 * g1, 4 * (g2 - g1 * g1));
    moments(p, "laplace", 1, 8);
    moments(p, "logistic", 1, 0.25 * Math.PI * Math.PI / 3);
    double[] logits = Arrays.stream(p.particles("logit_normal")).map(x -> Math.log(x / (1 - x))).toArray();
    checkMoments("logit(logit_normal)", logits, 0.3, 0.64);
    moments(p, "neg_binomial", 4, 4 + 16.0 / 3);
    moments(p, "neg_binomial_log", Math.E, Math.E + Math.E * Math.E / 2);
    moments(p, "beta_binomial", 4, 6);
    moments(p, "geometric", 0.7 / 0.3, 0.7 / 0.09);
    // Cauchy has no moments: half its mass lies within one scale of the location
    double inside = Arrays.stream(p.particles("cauchy")).filter(x -> Math.abs(x + 1) < 0.5).count() / (double) k;
    assertEquals(0.5, inside, 6 * Math.sqrt(0.25 / k), "Cauchy mass within one scale");
  }

  /** The model's own distributions written as its guide: the guide then draws from the prior. */
  static String priorAsGuide(String model) {
    return model.replaceFirst("model ", "guide ").lines().filter(l -> !l.trim().startsWith("input "))
        .collect(java.util.stream.Collectors.joining("\n", "\n", "\n"));
  }

  private static void moments(Posterior p, String name, double mean, double var) {
    checkMoments(name, p.particles(name), mean, var);
  }

  /** Sample mean within 6 standard errors; sample variance within 6 standard errors (from the fourth moment). */
  private static void checkMoments(String name, double[] x, double mean, double var) {
    int n = x.length;
    double m = Arrays.stream(x).average().orElseThrow();
    double v = Arrays.stream(x).map(a -> (a - m) * (a - m)).sum() / (n - 1);
    double m4 = Arrays.stream(x).map(a -> Math.pow(a - m, 4)).sum() / n;
    assertEquals(mean, m, 6 * Math.sqrt(var / n), name + " mean");
    assertEquals(var, v, 6 * Math.sqrt(Math.max(m4 - v * v, 1e-12) / n) + 1e-12, name + " variance");
    assertTrue(Arrays.stream(x).allMatch(Double::isFinite), name + " draws are finite");
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double logSumExp(double[] v) {
    double m = Arrays.stream(v).max().orElseThrow();
    return m + Math.log(Arrays.stream(v).map(x -> Math.exp(x - m)).sum());
  }

  private static double logDirichlet(double[] x, double[] alpha) {
    double sum = 0;
    double out = 0;
    for (int i = 0; i < x.length; i++) {
      sum += alpha[i];
      out += (alpha[i] - 1) * Math.log(x[i]) - LogGamma.value(alpha[i]);
    }
    return out + LogGamma.value(sum);
  }
}
