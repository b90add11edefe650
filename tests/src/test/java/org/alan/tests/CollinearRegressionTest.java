package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;

/**
 * Regressions on uncentred predictors with Stan's implicit flat priors, as published models write them
 * (posteriordb's earnings {@code logearn_interaction} and {@code nes}): the coefficients are pinned only jointly
 * (posterior correlations of 0.999 and more), which tempering a mean-field guide could not follow (ESS 1, means
 * 15 sd off). The automatic guide starts at the Laplace approximation instead. Against the exact flat-prior posterior
 * ({@link ImproperPriorTest.Exact}), with {@link RandomInterceptTest#assertWithin}'s tolerances.
 */
class CollinearRegressionTest {
  static final String INTERACTION = """
      model Interaction {
        beta[4] ~ Flat();
        sigma ~ HalfFlat();
        plate rows {
          input height;
          input male;
          data log_earn ~ Normal(beta[1] + beta[2] * height + beta[3] * male + beta[4] * height * male, sigma);
        }
      }
      """;

  static final String NINE = """
      model Nine {
        beta[9] ~ Flat();
        sigma ~ HalfFlat();
        plate rows {
          input x[8];
          data y ~ Normal(beta[1] + dot(beta[2:], x), sigma);
        }
      }
      """;

  @Test
  void anInteractionOfUncentredPredictors() {
    Random random = new Random(11);
    int n = 1192;
    double[][] x = new double[n][];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double h = Math.rint(66.9 + 3.85 * random.nextGaussian());
      double m = random.nextDouble() < 0.42 ? 1 : 0;
      x[i] = new double[] {1, h, m, h * m};
      y[i] = 8.4 + 0.017 * h - 0.08 * m + 0.0074 * h * m + 0.88 * random.nextGaussian();
    }
    String json = "{\"height\": " + ImproperPriorTest.column(x, 1) + ", \"male\": " + ImproperPriorTest.column(x, 2)
        + ", \"log_earn\": " + Models.jsonArray(y) + "}";
    check("interaction", INTERACTION, json, x, y);
  }

  @Test
  void nineCoefficientsOnSurveyScales() {
    Random random = new Random(12);
    int n = 1000;
    double[][] x = new double[n][];
    double[] y = new double[n];
    double[] truth = {1.5, 0.5, -1.2, 0.1, 0.2, 0.3, 0.15, -0.1, 0.2};
    StringBuilder rows = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      int age = random.nextInt(4) + 1;
      double[] row = {1, 1 + random.nextInt(7), random.nextDouble() < 0.12 ? 1 : 0, age == 2 ? 1 : 0,
          age == 3 ? 1 : 0, age == 4 ? 1 : 0, 1 + random.nextInt(4), 1 + random.nextInt(2), 1 + random.nextInt(5)};
      x[i] = row;
      double mean = 0;
      for (int j = 0; j < 9; j++) {
        mean += truth[j] * row[j];
      }
      y[i] = mean + 1.9 * random.nextGaussian();
      rows.append(i > 0 ? "," : "").append('[');
      for (int j = 1; j < 9; j++) {
        rows.append(j > 1 ? "," : "").append(row[j]);
      }
      rows.append(']');
    }
    check("nine coefficients", NINE, "{\"x\": " + rows + "], \"y\": " + Models.jsonArray(y) + "}", x, y);
  }

  private static void check(String what, String source, String json, double[][] x, double[] y) {
    ImproperPriorTest.Exact exact = ImproperPriorTest.Exact.of(x, y);
    CompiledModel compiled = Models.compile(source);
    Model m = Models.bind(compiled, json);
    FitOptions fitOptions = new FitOptions(FitMethod.QEM, FitOptions.automaticK(compiled.spec(), m.plateSizes(),
        1000), 100, FitMethod.QEM.defaultLr(), 1, 0, ParentSampler.PERMUTATION);
    long t0 = System.nanoTime();
    Model.Fitted fitted = m.sampleFitted(SampleOptions.of(1000, 1), fitOptions, Progress.NONE);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(fitted.fit().modeSteps() > 0, what + ": the automatic guide did not start at the Laplace"
        + " approximation (" + fitted.fit().temperingStages() + " tempering stages)");
    Posterior p = fitted.posterior();
    double[] mean = p.means("beta");
    double[] sd = p.sds("beta");
    double ess = p.ess("beta");
    assertTrue(ess > 250, what + ": ESS " + ess);
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "%s (flat priors), %.2f s, ESS %.0f, %d"
        + " BFGS steps:", what, seconds, ess, fitted.fit().modeSteps()));
    for (int j = 0; j < mean.length; j++) {
      RandomInterceptTest.assertWithin(what + " beta[" + (j + 1) + "]", mean[j], sd[j], exact.mean()[j],
          exact.sd()[j], ess);
      report.append(String.format(Locale.ROOT, " beta[%d] %.4g (%.4g) exact %.4g (%.4g);", j + 1, mean[j], sd[j],
          exact.mean()[j], exact.sd()[j]));
    }
    RandomInterceptTest.assertWithin(what + " sigma", p.means("sigma")[0], p.sds("sigma")[0], exact.sigmaMean(),
        exact.sigmaSd(), p.ess("sigma"));
    System.out.println(report);
  }
}
