package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.SummaryWriter;
import org.alan.runtime.model.CompiledModel;
import org.apache.commons.numbers.gamma.LogGamma;
import org.junit.jupiter.api.Test;

/**
 * Improper priors as Stan programs use them (a parameter with no prior statement): {@code Flat()} on coefficients,
 * {@code HalfFlat()} on a scale, fitted by the automatic guide from a wide proper stand-in. With flat priors on the
 * coefficients and on sigma, a linear regression's posterior is exact: the coefficients are multivariate t with
 * n - p - 1 degrees of freedom about the least-squares fit, and sigma^2 is inverse-gamma((n - p - 1) / 2, RSS / 2).
 * Tolerances as in {@link RandomInterceptTest#assertWithin}.
 */
class ImproperPriorTest {
  static final String KID_IQ = """
      model KidIq {
        beta[3] ~ Flat();
        sigma ~ HalfFlat();
        plate kids {
          input mom_hs;
          input mom_iq;
          data kid_score ~ Normal(beta[1] + beta[2] * mom_hs + beta[3] * mom_iq, sigma);
        }
      }
      """;

  /** Earnings against height: coefficients of order 10^4 and 10^3, far outside the stand-in's bulk. */
  static final String EARNINGS = """
      model Earnings {
        beta[2] ~ Flat();
        sigma ~ HalfFlat();
        plate people {
          input height;
          data earn ~ Normal(beta[1] + beta[2] * height, sigma);
        }
      }
      """;

  @Test
  void uncentredRegressionMatchesTheExactPosterior() {
    Random random = new Random(3);
    int n = 434;
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double hs = random.nextDouble() < 0.79 ? 1 : 0;
      double iq = 100 + 15 * random.nextGaussian();
      x[i] = new double[] {1, hs, iq};
      y[i] = 26 + 6 * hs + 0.56 * iq + 18 * random.nextGaussian();
    }
    String json = "{\"mom_hs\": " + column(x, 1) + ", \"mom_iq\": " + column(x, 2) + ", \"kid_score\": "
        + Models.jsonArray(y) + "}";
    check("kid iq", KID_IQ, json, x, y);
  }

  @Test
  void coefficientsFarFromTheStandInComeOutRight() {
    Random random = new Random(5);
    int n = 1059;
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double height = 66.6 + 3.8 * random.nextGaussian();
      x[i] = new double[] {1, height};
      y[i] = -61000 + 1300 * height + 19000 * random.nextGaussian();
    }
    check("earnings", EARNINGS, "{\"height\": " + column(x, 1) + ", \"earn\": " + Models.jsonArray(y) + "}", x, y);
  }

  private static void check(String what, String source, String json, double[][] x, double[] y) {
    Exact exact = Exact.of(x, y);
    long t0 = System.nanoTime();
    Posterior p = GlmReferenceTest.sample(source, json, 1000, 1);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] mean = p.means("beta");
    double[] sd = p.sds("beta");
    double ess = p.ess("beta");
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "%s (flat priors), %.2f s, ESS %.0f:", what,
        seconds, ess));
    for (int j = 0; j < mean.length; j++) {
      RandomInterceptTest.assertWithin(what + " beta[" + (j + 1) + "]", mean[j], sd[j], exact.mean[j], exact.sd[j],
          ess);
      report.append(String.format(Locale.ROOT, " beta[%d] %.4g (%.4g) exact %.4g (%.4g);", j + 1, mean[j], sd[j],
          exact.mean[j], exact.sd[j]));
    }
    RandomInterceptTest.assertWithin(what + " sigma", p.means("sigma")[0], p.sds("sigma")[0], exact.sigmaMean,
        exact.sigmaSd, p.ess("sigma"));
    report.append(String.format(Locale.ROOT, " sigma %.4g (%.4g) exact %.4g (%.4g)", p.means("sigma")[0],
        p.sds("sigma")[0], exact.sigmaMean, exact.sigmaSd));
    System.out.println(report);
  }

  @Test
  void eightSchoolsWithUniformPriorsMatchesItsExactMarginals() {
    // BDA 5.5: with p(mu, tau) uniform, p(tau | y) is known up to a constant and mu | tau, y is Normal(mu_hat, V)
    String source = """
        model EightSchools {
          mu ~ Flat();
          tau ~ HalfFlat();
          plate schools {
            input sigma;
            theta ~ Normal(mu, tau);
            data y ~ Normal(theta, sigma);
          }
        }
        """;
    double[] y = {28, 8, -3, 7, -1, 1, 18, 12};
    double[] sigma = {15, 10, 16, 11, 9, 11, 10, 18};
    int n = 60_000;
    double[] logw = new double[n];
    double[] muHat = new double[n];
    double[] v = new double[n];
    double best = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double tau = (i + 0.5) * 60.0 / n;
      double precision = 0;
      double weighted = 0;
      double logDet = 0;
      for (int j = 0; j < y.length; j++) {
        double var = sigma[j] * sigma[j] + tau * tau;
        precision += 1 / var;
        weighted += y[j] / var;
        logDet += Math.log(var);
      }
      v[i] = 1 / precision;
      muHat[i] = weighted * v[i];
      double quadratic = 0;
      for (int j = 0; j < y.length; j++) {
        quadratic += (y[j] - muHat[i]) * (y[j] - muHat[i]) / (sigma[j] * sigma[j] + tau * tau);
      }
      logw[i] = 0.5 * Math.log(v[i]) - 0.5 * logDet - 0.5 * quadratic;
      best = Math.max(best, logw[i]);
    }
    double z = 0;
    double tau1 = 0;
    double tau2 = 0;
    double mu1 = 0;
    double mu2 = 0;
    for (int i = 0; i < n; i++) {
      double w = Math.exp(logw[i] - best);
      double tau = (i + 0.5) * 60.0 / n;
      z += w;
      tau1 += w * tau;
      tau2 += w * tau * tau;
      mu1 += w * muHat[i];
      mu2 += w * (v[i] + muHat[i] * muHat[i]);
    }
    double tauMean = tau1 / z;
    double muMean = mu1 / z;
    Posterior p = GlmReferenceTest.sample(source, "{\"y\": " + Models.jsonArray(y) + ", \"sigma\": "
        + Models.jsonArray(sigma) + "}", 3000, 1);
    RandomInterceptTest.assertWithin("tau", p.means("tau")[0], p.sds("tau")[0], tauMean,
        Math.sqrt(tau2 / z - tauMean * tauMean), p.ess("tau"));
    RandomInterceptTest.assertWithin("mu", p.means("mu")[0], p.sds("mu")[0], muMean,
        Math.sqrt(mu2 / z - muMean * muMean), p.ess("mu"));
  }

  @Test
  void theLogMarginalLikelihoodIsReportedUndefined() {
    Posterior p = GlmReferenceTest.sample(KID_IQ, smallKidData(), 200, 2);
    assertTrue(Double.isFinite(p.logMarginalLikelihood()), "the estimator's value is still the fit's bound");
    assertEquals("undefined (improper prior on beta, sigma)", SummaryWriter.logMarginalLikelihood(p));
    JsonObject json = JsonParser.parseString(SummaryWriter.json(p)).getAsJsonObject();
    assertTrue(json.get("log_marginal_likelihood").isJsonNull(), json.toString());
    assertEquals("improper prior on beta, sigma", json.get("log_marginal_likelihood_undefined").getAsString());
  }

  @Test
  void aModelWithAnImproperPriorCannotBeSimulatedOrExtended() {
    CompiledModel compiled = Models.compile(KID_IQ);
    InferenceException simulate = assertThrows(InferenceException.class, () -> Simulator.run(compiled,
        Models.data("{\"mom_hs\": [1, 0], \"mom_iq\": [90, 110]}"), java.util.Map.of(), 1));
    assertTrue(simulate.getMessage().contains("improper prior of beta, sigma"), simulate.getMessage());

    String hierarchical = """
        model Groups {
          mu ~ Normal(0, 10);
          plate groups {
            a ~ Flat();
            plate rows { data y ~ Normal(mu + a, 1); }
          }
        }
        """;
    Model m = Models.bind(hierarchical, "{\"y\": [[0.1, 0.4], [1.2, 0.9]]}");
    Posterior posterior = m.sample(SampleOptions.of(100, 1), Progress.NONE);
    InferenceException predict = assertThrows(InferenceException.class,
        () -> m.predict(Models.data("{\"y\": [[0.5, 0.6]]}"), "groups", posterior, 1));
    assertTrue(predict.getMessage().contains("latent 'a' has an improper prior"), predict.getMessage());
  }

  @Test
  void aWrittenGuideProposesForAFlatPrior() {
    String source = """
        model NormalMean {
          mu ~ Flat();
          plate rows { data y ~ Normal(mu, 2); }
        }
        guide NormalMean {
          mu ~ Normal(1, 1);
        }
        """;
    double[] y = {0.3, 1.9, 1.1, 2.4, 0.2, 1.5};
    Model m = Models.bind(source, "{\"y\": " + Models.jsonArray(y) + "}");
    Posterior p = m.sample(SampleOptions.of(20000, 4), Progress.NONE);
    // flat prior: mu | y ~ Normal(mean(y), 2 / sqrt(n))
    double exactMean = java.util.Arrays.stream(y).average().orElseThrow();
    double exactSd = 2 / Math.sqrt(y.length);
    RandomInterceptTest.assertWithin("mu", p.means("mu")[0], p.sds("mu")[0], exactMean, exactSd, p.ess("mu"));
  }

  private static String smallKidData() {
    return "{\"mom_hs\": [1, 0, 1, 1, 0, 1], \"mom_iq\": [95, 110, 102, 87, 121, 99],"
        + " \"kid_score\": [80, 95, 88, 70, 101, 90]}";
  }

  /** The exact posterior of a linear regression under flat priors on its coefficients and on sigma. */
  record Exact(double[] mean, double[] sd, double sigmaMean, double sigmaSd) {
    static Exact of(double[][] x, double[] y) {
      int n = y.length;
      int p = x[0].length;
      double[][] xtx = new double[p][p];
      double[] xty = new double[p];
      for (int i = 0; i < n; i++) {
        for (int a = 0; a < p; a++) {
          xty[a] += x[i][a] * y[i];
          for (int b = 0; b < p; b++) {
            xtx[a][b] += x[i][a] * x[i][b];
          }
        }
      }
      double[][] inverse = Analytic.invert(xtx);
      double[] beta = new double[p];
      for (int a = 0; a < p; a++) {
        for (int b = 0; b < p; b++) {
          beta[a] += inverse[a][b] * xty[b];
        }
      }
      double rss = 0;
      for (int i = 0; i < n; i++) {
        double fit = 0;
        for (int a = 0; a < p; a++) {
          fit += x[i][a] * beta[a];
        }
        rss += (y[i] - fit) * (y[i] - fit);
      }
      // p(beta, sigma | y) ~ sigma^-n exp(-S(beta) / (2 sigma^2)): beta is t with nu = n - p - 1 degrees of freedom
      double nu = n - p - 1;
      double[] sd = new double[p];
      for (int a = 0; a < p; a++) {
        sd[a] = Math.sqrt(rss / nu * inverse[a][a] * nu / (nu - 2));
      }
      // and sigma^2 is inverse-gamma(nu / 2, RSS / 2)
      double shape = nu / 2;
      double scale = rss / 2;
      double sigmaMean = Math.sqrt(scale) * Math.exp(LogGamma.value(shape - 0.5) - LogGamma.value(shape));
      double sigmaSquared = scale / (shape - 1);
      return new Exact(beta, sd, sigmaMean, Math.sqrt(sigmaSquared - sigmaMean * sigmaMean));
    }

  }

  static String column(double[][] x, int j) {
    double[] c = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      c[i] = x[i][j];
    }
    return Models.jsonArray(c);
  }
}
