package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.apache.commons.numbers.gamma.LogGamma;
import org.apache.commons.statistics.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

/**
 * The analytic problems of the spec (section 7): log marginal likelihoods and posterior moments against closed
 * forms. Tolerances come from Monte Carlo standard errors at fixed seeds:
 * <ul>
 *   <li>a posterior mean within 6 sqrt(Var / ESS) of the exact one, ESS the smallest marginal ESS of the run;</li>
 *   <li>log p(y) inside {@code [mean - 6 se, mean + 6 se + (var + 6 se_var) / 2]} of R independent
 *       log P-hat values (log P-hat is biased low by about var / 2), and that interval narrower than 1 nat;</li>
 *   <li>the two parent samplers agree within 6 combined standard errors;</li>
 *   <li>the mean of N importance-resampled draws within 6 sqrt(Var / N) of the weighted posterior mean.</li>
 * </ul>
 */
class AnalyticPosteriorTest {
  private static final double[] D10 = {1.64, 1.21, 1.98, 0.77, 1.53, 2.31, 1.12, 1.49, 0.95, 1.88};

  // ------------------------------------------------------------------ Beta-Bernoulli

  static final String BETA_BERNOULLI = """
      model Coin {
        p ~ Beta(2, 1);
        plate flips { data y ~ Bernoulli(p); }
      }
      guide Coin { p ~ Beta(1, 1); }
      """;

  @Test
  void betaBernoulli() {
    Model m = Models.bind(BETA_BERNOULLI, "{\"y\": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1]}");
    double logP = Analytic.logBeta(9, 4) - Analytic.logBeta(2, 1);
    checkEvidence(m, 1000, 20, logP);
    double mean = 9.0 / 13;
    double var = 9.0 * 4 / (13 * 13 * 14);
    checkMoments(m, 10_000, new String[] {"p"}, new double[] {mean}, new double[] {var});
    checkDraws(m, 10_000, "p", 1000);
  }

  // ------------------------------------------------------------------ Gaussian, plated data

  static final String LINEAR_GAUSSIAN = """
      model Linear {
        a ~ Normal(2, 2);
        plate T { data d ~ Normal(2.5 * a, 3); }
      }
      guide Linear { a ~ Normal(1, 4); }
      """;

  @Test
  void gaussianWithPlatedData() {
    Model m = Models.bind(LINEAR_GAUSSIAN, json("d", D10));
    double logP = Analytic.logEvidenceShared(D10, 5, 2.5 * 2.5 * 4, 9);
    checkEvidence(m, 1000, 20, logP);
    double[] post = Analytic.normalPosterior(2, 4, D10, 2.5, 9);
    checkMoments(m, 10_000, new String[] {"a"}, new double[] {post[0]}, new double[] {post[1]});
    checkSamplersAgree(m, 3000, "a", post[1]);
    checkDraws(m, 10_000, "a", 1000);
  }

  /**
   * The summary's 5%, 50% and 95% quantiles against the exact Gaussian posterior's. A weighted quantile's standard
   * error is {@code sqrt(p (1 - p) / ESS) / density(quantile)}; 6 of them are allowed.
   */
  @Test
  void quantilesOfAGaussianPosterior() {
    Model m = Models.bind(LINEAR_GAUSSIAN, json("d", D10));
    double[] post = Analytic.normalPosterior(2, 4, D10, 2.5, 9);
    Posterior p = m.sample(SampleOptions.of(20_000, 11));
    double sd = Math.sqrt(post[1]);
    double ess = p.ess("a");
    for (double prob : Posterior.SUMMARY_QUANTILES) {
      double z = NormalDistribution.of(0, 1).inverseCumulativeProbability(prob);
      double exact = post[0] + z * sd;
      double density = Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
      double se = Math.sqrt(prob * (1 - prob) / ess) / density;
      assertEquals(exact, p.quantiles("a", prob)[0], 6 * se, "quantile " + prob);
    }
  }

  // ------------------------------------------------------------------ two parameters, correlated guide

  static final String TWO_PARAMS = """
      model Two {
        a ~ Normal(2, 1);
        b ~ Normal(a, 1);
        c ~ Normal(b, 1.3);               // dangling: no data below it
        plate T { data d ~ Normal(b, 3); }
      }
      """;

  @Test
  void twoParametersWithCorrelatedGuide() {
    String source = TWO_PARAMS + "guide Two { a ~ Normal(1, 4); b ~ Normal(a, 1.2); c ~ Normal(b, 2); }";
    checkTwoParameters(Models.bind(source, json("d", D10)));
  }

  @Test
  void twoParametersWithReversedGuide() {
    String source = TWO_PARAMS + "guide Two { b ~ Normal(1, 4); a ~ Normal(b, 1.2); c ~ Normal(b, 2); }";
    checkTwoParameters(Models.bind(source, json("d", D10)));
  }

  private void checkTwoParameters(Model m) {
    double logP = Analytic.logEvidenceShared(D10, 2, 2, 9);
    checkEvidence(m, 300, 20, logP);
    double[] b = Analytic.normalPosterior(2, 2, D10, 1, 9);
    double meanA = (2 + b[0]) / 2;
    double varA = 0.5 + b[1] / 4;
    double varC = b[1] + 1.69;
    checkMoments(m, 1000, new String[] {"a", "b", "c"}, new double[] {meanA, b[0], b[0]},
        new double[] {varA, b[1], varC});
    checkSamplersAgree(m, 600, "b", b[1]);
  }

  // ------------------------------------------------------------------ plated latents

  static final String LATENTS = """
      model Latents {
        a ~ Normal(2, 2);
        plate T {
          z ~ Normal(a, 1.3);
          data d ~ Normal(z, 1.5);
        }
      }
      guide Latents {
        a ~ Normal(1, 4);
        plate T { z ~ Normal(1.5 * a, 3.5); }
      }
      """;

  @Test
  void platedLatentsWithMixtureGuide() {
    Model m = Models.bind(LATENTS, json("d", D10));
    double noise = 1.3 * 1.3 + 1.5 * 1.5;
    checkEvidence(m, 1000, 20, Analytic.logEvidenceShared(D10, 2, 4, noise));
    double[] a = Analytic.normalPosterior(2, 4, D10, 1, noise);
    double pz = 1 / 1.69;
    double pd = 1 / 2.25;
    double w = pz / (pz + pd);
    String[] names = new String[1 + D10.length];
    double[] means = new double[names.length];
    double[] vars = new double[names.length];
    names[0] = "a";
    means[0] = a[0];
    vars[0] = a[1];
    for (int i = 0; i < D10.length; i++) {
      names[i + 1] = "z[" + i + "]";
      means[i + 1] = w * a[0] + (1 - w) * D10[i];
      vars[i + 1] = 1 / (pz + pd) + w * w * a[1];
    }
    checkMoments(m, 300, names, means, vars);
  }

  // ------------------------------------------------------------------ vector-valued latent

  static final String MULTIVARIATE = """
      model Vec {
        input m0[3];
        a[3] ~ Normal(m0, 2);
        plate T { data d[3] ~ Normal(a, 1); }
      }
      guide Vec { a ~ Normal(0, 3); }
      """;

  @Test
  void vectorLatentWithPlatedVectorData() {
    double[] m0 = {1, -1, 0.5};
    double[][] d = {{1.2, -0.4, 0.1}, {0.8, -1.3, 0.9}, {1.9, -0.7, 0.2}};
    String data = "{\"m0\": " + Arrays.toString(m0) + ", \"d\": " + Arrays.deepToString(d) + "}";
    Model m = Models.bind(MULTIVARIATE, data);
    double logP = 0;
    String[] names = new String[3];
    double[] means = new double[3];
    double[] vars = new double[3];
    for (int j = 0; j < 3; j++) {
      double[] column = {d[0][j], d[1][j], d[2][j]};
      logP += Analytic.logEvidenceShared(column, m0[j], 4, 1);
      double[] post = Analytic.normalPosterior(m0[j], 4, column, 1, 1);
      names[j] = "a[" + j + "]";
      means[j] = post[0];
      vars[j] = post[1];
    }
    checkEvidence(m, 3000, 20, logP);
    checkMoments(m, 20_000, names, means, vars);
  }

  // ------------------------------------------------------------------ Gamma-Poisson, automatic guide

  @Test
  void gammaPoissonWithAutomaticGuide() {
    String source = """
        model Counts {
          rate ~ Gamma(2, 1);
          plate days { data y ~ Poisson(rate); }
        }
        """;
    double[] y = {3, 1, 4, 2, 2, 5};
    Model m = Models.bind(source, json("y", y));
    double alpha = 2;
    double beta = 1;
    double s = Analytic.sum(y);
    int n = y.length;
    double logP = alpha * Math.log(beta) - LogGamma.value(alpha) + LogGamma.value(alpha + s)
        - (alpha + s) * Math.log(beta + n);
    for (double v : y) {
      logP -= LogGamma.value(v + 1);
    }
    checkEvidence(m, 3000, 20, logP);
    double shape = alpha + s;
    double rate = beta + n;
    checkMoments(m, 20_000, new String[] {"rate"}, new double[] {shape / rate}, new double[] {shape / (rate * rate)});
  }

  // ------------------------------------------------------------------ checks

  /** Runs R seeds at K and checks log p(y) against the distribution of log P-hat. */
  static void checkEvidence(Model m, int k, int runs, double logP) {
    double[] values = new double[runs];
    for (int r = 0; r < runs; r++) {
      values[r] = m.sample(SampleOptions.of(k, 1000 + r)).logMarginalLikelihood();
    }
    double mean = Arrays.stream(values).average().orElseThrow();
    double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (runs - 1);
    double se = Math.sqrt(var / runs);
    double seVar = var * Math.sqrt(2.0 / (runs - 1));
    double lower = mean - 6 * se;
    double upper = mean + 6 * se + (var + 6 * seVar) / 2;
    String detail = String.format(Locale.ROOT, "log p(y) = %.5f, log P-hat mean %.5f, se %.5f, var %.5f (K = %d)",
        logP, mean, se, var, k);
    assertTrue(lower < logP && logP < upper, detail);
    assertTrue(upper - lower < 1, "estimator too noisy: " + detail);
  }

  /** One run at K; each named entry's posterior mean within 6 sqrt(var / min ESS) of the exact mean. */
  static Posterior checkMoments(Model m, int k, String[] names, double[] means, double[] vars) {
    Posterior p = m.sample(SampleOptions.of(k, 42));
    double minEss = p.latentNames().stream().flatMapToDouble(v -> Arrays.stream(p.essArray(v))).min().orElseThrow();
    assertTrue(minEss > 10, "ESS " + minEss + " too small for a meaningful check");
    for (int i = 0; i < names.length; i++) {
      double est = entry(p, names[i], p::means);
      double sd = entry(p, names[i], p::sds);
      double tol = 6 * Math.sqrt(vars[i] / minEss);
      assertEquals(means[i], est, tol, names[i] + " posterior mean (ESS " + minEss + ")");
      // the weighted sd is a ratio estimator too; it must be in the right place, to a looser bound
      assertEquals(Math.sqrt(vars[i]), sd, 0.25 * Math.sqrt(vars[i]) + tol, names[i] + " posterior sd");
    }
    return p;
  }

  /** Permutation and categorical parent sampling estimate the same posterior mean. */
  static void checkSamplersAgree(Model m, int k, String name, double var) {
    Posterior perm = m.sample(SampleOptions.of(k, 5));
    Posterior cat = m.sample(SampleOptions.of(k, 6).withSampler(ParentSampler.CATEGORICAL));
    double essP = perm.ess(name);
    double essC = cat.ess(name);
    double tol = 6 * Math.sqrt(var / essP + var / essC);
    assertEquals(perm.mean(name), cat.mean(name), tol, name + ": permutation vs categorical parent sampling");
  }

  /** The mean of N joint draws matches the weighted posterior mean of the same run. */
  static void checkDraws(Model m, int k, String name, int n) {
    Posterior p = m.sample(SampleOptions.of(k, 9).withDraws(n));
    double[] draws = p.draws().values(name);
    double mean = Arrays.stream(draws).average().orElseThrow();
    double sd = p.sd(name);
    assertEquals(p.mean(name), mean, 6 * sd / Math.sqrt(n), name + ": mean of " + n + " draws");
  }

  private static double entry(Posterior p, String name, java.util.function.Function<String, double[]> values) {
    int bracket = name.indexOf('[');
    if (bracket < 0) {
      return values.apply(name)[0];
    }
    String variable = name.substring(0, bracket);
    int index = Integer.parseInt(name.substring(bracket + 1, name.length() - 1));
    return values.apply(variable)[index];
  }

  static String json(String name, double[] values) {
    return "{\"" + name + "\": [" + Arrays.stream(values).mapToObj(v -> String.valueOf(v))
        .collect(Collectors.joining(", ")) + "]}";
  }
}
