package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.learn.FitResult;
import org.alan.runtime.learn.Qem;
import org.apache.commons.numbers.gamma.Digamma;
import org.apache.commons.numbers.gamma.Trigamma;
import org.junit.jupiter.api.Test;

/**
 * QEM's fixed point on conjugate models: when the guide's family contains the exact posterior, moment matching
 * converges to it, so the fitted guide's mean parameters (the sufficient statistics QEM matches) must equal the
 * exact posterior's. The tolerance is Monte Carlo error: each iteration's moment estimate has standard error
 * {@code sd(T) / sqrt(ESS)}, and the running average with rate lr keeps a fraction {@code lr / (2 - lr)} of its
 * variance; we allow 6 such standard errors, with the ESS of a run from the fitted guide.
 */
class QemTest {
  private static final double[] D10 = {1.64, 1.21, 1.98, 0.77, 1.53, 2.31, 1.12, 1.49, 0.95, 1.88};
  private static final int K = 1000;
  private static final double LR = 0.3;

  private static FitResult fit(Model m, long seed) {
    return m.fit(FitOptions.defaults(seed).withK(K).withIterations(150).withLr(LR));
  }

  /** The ESS of a run from the fitted guide: the Monte Carlo precision of one iteration's moments. */
  private static double ess(Model m, FitResult fit, String variable) {
    Posterior p = m.sample(SampleOptions.of(K, 99), fit.paramsCopy(), org.alan.runtime.engine.Progress.NONE);
    return java.util.Arrays.stream(p.essArray(variable)).min().orElseThrow();
  }

  private static void close(String what, double exact, double fitted, double sd, double ess) {
    double tolerance = 6 * Math.sqrt(LR / (2 - LR)) * sd / Math.sqrt(ess);
    System.out.printf(Locale.ROOT, "QEM %-28s exact %.6f fitted %.6f (|error| %.2f se)%n", what, exact, fitted,
        Math.abs(fitted - exact) / (tolerance / 6));
    assertEquals(exact, fitted, tolerance, what);
  }

  @Test
  void normalMeanMatchesTheExactPosterior() {
    Model m = Models.bind("""
        model M { a ~ Normal(1, 2); plate T { data d ~ Normal(a, 1.5); } }
        guide M { a ~ Normal(qem(0), qem(1)); }
        """, AnalyticPosteriorTest.json("d", D10));
    double precision = 1 / 4.0 + 10 / 2.25;
    double mean = (1 / 4.0 + Analytic.sum(D10) / 2.25) / precision;
    double var = 1 / precision;
    FitResult fit = fit(m, 1);
    double ess = ess(m, fit, "a");
    close("Normal loc", mean, fit.param("a_loc")[0], Math.sqrt(var), ess);
    double scale = fit.param("a_scale")[0];
    // the variance of a variance estimate from ESS draws is about 2 var^2 / ESS
    close("Normal variance", var, scale * scale, Math.sqrt(2) * var, ess);
  }

  @Test
  void normalPrecisionByGammaMatchesTheExactPosterior() {
    double[] d = new double[D10.length];
    double ss = 0;
    for (int i = 0; i < d.length; i++) {
      d[i] = D10[i] - 1.5;
      ss += d[i] * d[i];
    }
    Model m = Models.bind("""
        model M { tau ~ Gamma(2, 1); plate T { data d ~ Normal(0, pow(tau, -0.5)); } }
        guide M { tau ~ Gamma(qem(1), qem(1)); }
        """, AnalyticPosteriorTest.json("d", d));
    checkGamma(m, "tau", 2 + d.length / 2.0, 1 + ss / 2);
  }

  @Test
  void gammaPoissonMatchesTheExactPosterior() {
    double[] y = {2, 4, 3, 5, 1, 3};
    Model m = Models.bind("""
        model M { rate ~ Gamma(3, 1); plate T { data y ~ Poisson(rate); } }
        guide M { rate ~ Gamma(qem(1), qem(1)); }
        """, AnalyticPosteriorTest.json("y", y));
    checkGamma(m, "rate", 3 + Analytic.sum(y), 1 + y.length);
  }

  private static void checkGamma(Model m, String v, double shape, double rate) {
    FitResult fit = fit(m, 2);
    double ess = ess(m, fit, v);
    double a = fit.param(v + "_concentration")[0];
    double b = fit.param(v + "_rate")[0];
    close("Gamma E[log x]", Digamma.value(shape) - Math.log(rate), Digamma.value(a) - Math.log(b),
        Math.sqrt(Trigamma.value(shape)), ess);
    close("Gamma E[x]", shape / rate, a / b, Math.sqrt(shape) / rate, ess);
  }

  @Test
  void betaBernoulliMatchesTheExactPosterior() {
    Model m = Models.bind("""
        model Coin { p ~ Beta(2, 1); plate flips { data y ~ Bernoulli(p); } }
        guide Coin { p ~ Beta(qem(1), qem(1)); }
        """, "{\"y\": [1, 1, 0, 1, 1, 0, 1, 1, 0, 1]}");
    FitResult fit = fit(m, 3);
    double ess = ess(m, fit, "p");
    double a = fit.param("p_concentration1")[0];
    double b = fit.param("p_concentration0")[0];
    double psi = Digamma.value(13);
    close("Beta E[log p]", Digamma.value(9) - psi, Digamma.value(a) - Digamma.value(a + b),
        Math.sqrt(Trigamma.value(9) - Trigamma.value(13)), ess);
    close("Beta E[log(1-p)]", Digamma.value(4) - psi, Digamma.value(b) - Digamma.value(a + b),
        Math.sqrt(Trigamma.value(4) - Trigamma.value(13)), ess);
  }

  @Test
  void dirichletCategoricalMatchesTheExactPosterior() {
    Model m = Models.bind("""
        model Dice {
          input alpha[3];
          pi[3] ~ Dirichlet(alpha);
          plate rolls { data c ~ Categorical(pi); }
        }
        guide Dice { pi[3] ~ Dirichlet(qem(1)); }
        """, "{\"alpha\": [1, 2, 0.5], \"c\": [0, 1, 1, 2, 2, 2, 0, 2, 1, 2, 1, 1]}");
    double[] exact = {1 + 2, 2 + 5, 0.5 + 5};
    double total = exact[0] + exact[1] + exact[2];
    FitResult fit = fit(m, 4);
    double ess = ess(m, fit, "pi");
    double[] alpha = fit.param("pi_concentration");
    double fittedTotal = alpha[0] + alpha[1] + alpha[2];
    for (int c = 0; c < 3; c++) {
      close("Dirichlet E[log pi_" + c + "]", Digamma.value(exact[c]) - Digamma.value(total),
          Digamma.value(alpha[c]) - Digamma.value(fittedTotal),
          Math.sqrt(Trigamma.value(exact[c]) - Trigamma.value(total)), ess);
    }
  }

  /** log N(y; mean, sd) summed over the observations, for the discrete posteriors below. */
  private static double normalLogLik(double[] y, double mean, double sd) {
    double s = 0;
    for (double v : y) {
      s += -0.5 * ((v - mean) / sd) * ((v - mean) / sd) - Math.log(sd);
    }
    return s;
  }

  private static double[] normalise(double[] logw) {
    double max = java.util.Arrays.stream(logw).max().orElseThrow();
    double[] p = new double[logw.length];
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logw[i] - max);
      total += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= total;
    }
    return p;
  }

  private static final double[] Y3 = {0.9, 1.6, 1.1, 2.2};

  /**
   * A Categorical latent: its exact posterior is enumerated, and QEM's fixed point is that posterior itself (the
   * family holds every distribution on the categories), its statistic the one-hot vector.
   */
  @Test
  void categoricalMatchesTheExactPosterior() {
    Model m = Models.bind("""
        model Pick {
          input prior[3];
          z ~ Categorical(prior);
          plate obs { data y ~ Normal(0.8 * z, 1); }
        }
        guide Pick { z ~ Categorical(qem(0.3333333333333333)); }
        """, "{\"prior\": [0.2, 0.5, 0.3], \"y\": " + java.util.Arrays.toString(Y3) + "}");
    double[] prior = {0.2, 0.5, 0.3};
    double[] logw = new double[3];
    for (int c = 0; c < 3; c++) {
      logw[c] = Math.log(prior[c]) + normalLogLik(Y3, 0.8 * c, 1);
    }
    double[] exact = normalise(logw);
    FitResult fit = fit(m, 5);
    double ess = ess(m, fit, "z");
    double[] probs = fit.param("z_probs");
    assertEquals(3, probs.length, "one probability per category");
    for (int c = 0; c < 3; c++) {
      close("Categorical P(z = " + c + ")", exact[c], probs[c], Math.sqrt(exact[c] * (1 - exact[c])), ess);
    }
  }

  /**
   * Binomial latents whose total counts are an input (per plate element): a Binomial cannot hold the exact
   * posterior, but QEM's fixed point matches its statistic, so the fitted probs equal the exact posterior mean of
   * z / n, enumerated over 0..n. The model has no guide block: the automatic guide proposes a Binomial with the
   * prior's total count.
   */
  @Test
  void binomialWithAnInputTotalCountMatchesTheExactPosteriorMean() {
    int[] n = {10, 20};
    double[][] y = {{3.1, 4.4, 2.0}, {9.5, 7.2, 8.8}};
    Model m = Models.bind("""
        model Counts {
          plate units {
            input n;
            z ~ Binomial(n, 0.3);
            plate obs { data y ~ Normal(z, 2); }
          }
        }
        """, "{\"n\": [10, 20], \"y\": [[3.1, 4.4, 2.0], [9.5, 7.2, 8.8]]}");
    assertEquals(org.alan.stdlib.Distribution.BINOMIAL, m.spec().qem()[0].family(), "the automatic proposal");
    FitResult fit = fit(m, 6);
    double ess = ess(m, fit, "z");
    double[] probs = fit.param("z_probs");
    for (int u = 0; u < n.length; u++) {
      double[] logw = new double[n[u] + 1];
      for (int k = 0; k <= n[u]; k++) {
        logw[k] = logChoose(n[u], k) + k * Math.log(0.3) + (n[u] - k) * Math.log(0.7) + normalLogLik(y[u], k, 2);
      }
      double[] post = normalise(logw);
      double mean = 0;
      double second = 0;
      for (int k = 0; k <= n[u]; k++) {
        mean += post[k] * k / n[u];
        second += post[k] * k * k / ((double) n[u] * n[u]);
      }
      close("Binomial E[z/n], unit " + u, mean, probs[u], Math.sqrt(second - mean * mean), ess);
    }
  }

  private static double logChoose(int n, int k) {
    return org.apache.commons.numbers.gamma.LogGamma.value(n + 1) - org.apache.commons.numbers.gamma.LogGamma.value(k + 1)
        - org.apache.commons.numbers.gamma.LogGamma.value(n - k + 1);
  }

  @Test
  void qemRaisesTheBoundFromABadStart() {
    Model m = Models.bind("""
        model M { a ~ Normal(1, 2); plate T { data d ~ Normal(a, 1.5); } }
        guide M { a ~ Normal(qem(-4), qem(0.2)); }
        """, AnalyticPosteriorTest.json("d", D10));
    FitResult fit = m.fit(FitOptions.defaults(5).withK(30).withIterations(60).withLr(0.3));
    double first = fit.trace().get(0).bound();
    double lastMean = fit.trace().subList(fit.trace().size() - 5, fit.trace().size()).stream()
        .mapToDouble(FitResult.Iteration::bound).average().orElseThrow();
    double exact = Analytic.logEvidenceShared(D10, 1, 4, 2.25);
    System.out.printf(Locale.ROOT, "QEM bound: first %.3f, last five %.3f, exact log p(y) %.3f, %d iterations%n",
        first, lastMean, exact, fit.trace().size());
    assertTrue(lastMean > first + 5, "the bound rises");
    assertTrue(lastMean < exact + 0.1 && lastMean > exact - 0.5, "and ends just below log p(y)");
    assertTrue(fit.converged(), "the stopping rule ends a fit whose bound is flat");
  }

  /**
   * Every family's conversion to mean parameters and back is the identity (Gamma, Beta, Dirichlet by Newton), at
   * extreme values too. The tolerance is what the mean parameters themselves carry: for Beta(1e-3, 2e4),
   * {@code E log(1-x) = psi(b) - psi(a+b)} is about -5e-8, a difference of two numbers near 9.9, so it holds only
   * about eight significant digits.
   */
  @Test
  void conversionsRoundTrip() {
    Model m = Models.bind("""
        model All {
          input ones[4];
          a ~ Normal(0, 1); b ~ LogNormal(0, 1); c ~ HalfNormal(1); e ~ Exponential(1); g ~ Gamma(2, 3);
          p ~ Beta(2, 2); s[4] ~ Dirichlet(ones); q ~ Bernoulli(0.5); n ~ Poisson(3);
          data y ~ Normal(a, 1);
        }
        guide All {
          a ~ Normal(qem(-1.5), qem(0.3)); b ~ LogNormal(qem(2), qem(0.01)); c ~ HalfNormal(qem(4));
          e ~ Exponential(qem(0.02)); g ~ Gamma(qem(0.05), qem(300)); p ~ Beta(qem(1e-3), qem(2e4));
          s[4] ~ Dirichlet(qem(0.3)); q ~ Bernoulli(qem(0.999)); n ~ Poisson(qem(1e5));
        }
        """, "{\"y\": 0.3, \"ones\": [1, 1, 1, 1]}");
    double[][] params = initial(m);
    double[][] back = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      back[i] = new double[params[i].length];
    }
    new Qem(m.spec(), m.spec().plateCounts(m.plateSizes()), params).writeParams(back);
    for (int i = 0; i < params.length; i++) {
      for (int j = 0; j < params[i].length; j++) {
        assertEquals(params[i][j], back[i][j], 1e-6 * Math.abs(params[i][j]), m.spec().params()[i].name());
      }
    }
  }

  private static double[][] initial(Model m) {
    return org.alan.runtime.engine.ModelState.initialParams(m.spec(), m.spec().plateCounts(m.plateSizes()));
  }

  /** A fit saved and read back gives the same parameters, and the same run. */
  @Test
  void guideFileRoundTrips() throws Exception {
    Model m = Models.bind("""
        model M { a ~ Normal(1, 2); plate T { z ~ Normal(a, 1); data d ~ Normal(z, 1.5); } }
        guide M { a ~ Normal(qem(0), qem(1)); plate T { z ~ Normal(qem(0), qem(1)); } }
        """, AnalyticPosteriorTest.json("d", D10));
    FitResult fit = m.fit(FitOptions.defaults(7).withK(50).withIterations(20));
    java.nio.file.Path file = java.nio.file.Files.createTempFile("guide", ".json");
    java.nio.file.Files.writeString(file, org.alan.runtime.io.GuideFile.write(m.spec(), m.nest(), fit.params()));
    double[][] read = org.alan.runtime.io.GuideFile.read(m.spec(), m.nest(), file);
    for (int i = 0; i < read.length; i++) {
      assertArrayEquals(fit.params()[i], read[i], 1e-12 * 10);
    }
    java.nio.file.Files.delete(file);
  }
}
