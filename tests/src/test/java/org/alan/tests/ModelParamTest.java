package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.SummaryWriter;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.learn.FitResult;
import org.junit.jupiter.api.Test;

/**
 * The model's own parameters ({@code param name = init;}), fitted by VI and RWS: both ascend the bound in them,
 * and with a guide family that holds the exact posterior the bound becomes the exact log marginal likelihood, so
 * the fitted parameter is its maximiser, the maximum-likelihood estimate of the marginal model. Here
 * {@code x_i ~ N(m, 1)}, {@code y_i ~ N(x_i, 0.5)}: marginally {@code y_i ~ N(m, sqrt(1.25))}, whose MLE is the
 * mean of y. The tolerance is a tenth of the MLE's standard error, {@code sqrt(1.25 / N)}.
 */
class ModelParamTest {
  static final String SHIFT = """
      model Shift {
        param m = 0;
        plate obs {
          x ~ Normal(m, 1);
          data y ~ Normal(x, 0.5);
        }
      }
      """;
  private static final int N = 40;

  private static double[] data() {
    Random rng = new Random(5);
    double[] y = new double[N];
    for (int i = 0; i < N; i++) {
      y[i] = 2 + Math.sqrt(1.25) * rng.nextGaussian();
    }
    return y;
  }

  private static void fitsTheMle(FitMethod method) {
    double[] y = data();
    double mle = Arrays.stream(y).average().orElseThrow();
    double se = Math.sqrt(1.25 / N);
    Model m = Models.bind(SHIFT, AnalyticPosteriorTest.json("y", y));
    // a fast phase to reach the optimum, then a slow one to settle there (Adam's steps scale with the rate)
    FitOptions fast = FitOptions.defaults(1).withMethod(method).withK(30).withIterations(300).withLr(0.05)
        .withStopEarly(false);
    FitResult first = m.fit(fast);
    FitResult fit = m.fit(fast.withIterations(300).withLr(0.005), first.paramsCopy(),
        org.alan.runtime.learn.Fitter.Listener.NONE);
    double got = fit.param("m")[0];
    System.out.printf(Locale.ROOT, "%s: fitted m %.5f, MLE %.5f, |error| %.3f se, bound %.4f after %d iterations%n",
        method, got, mle, Math.abs(got - mle) / se, fit.trace().get(fit.trace().size() - 1).bound(),
        fit.trace().size());
    assertEquals(mle, got, 0.1 * se, method + " fitted m");
  }

  @Test
  void viFitsTheMaximumLikelihoodEstimate() {
    fitsTheMle(FitMethod.VI);
  }

  @Test
  void rwsFitsTheMaximumLikelihoodEstimate() {
    fitsTheMle(FitMethod.RWS);
  }

  /** The summary reports the model's parameters as the run used them, in the table and the JSON. */
  @Test
  void summariesReportTheModelParameters() {
    Model m = Models.bind("""
        model Offsets {
          param m = 0.25;
          plate groups {
            param offset[2] = -1.5;
            theta ~ Normal(m + sum(offset), 1);
            data y ~ Normal(theta, 1);
          }
        }
        """, "{\"y\": [0.1, 0.7, 1.2]}");
    Posterior p = m.sample(SampleOptions.of(100, 1), null, Progress.NONE);
    String table = SummaryWriter.table(p, "header");
    assertTrue(table.contains("model parameter"), table);
    assertTrue(table.matches("(?s).*\\nm\\s+0\\.2500\\n.*"), table);
    assertTrue(table.matches("(?s).*\\noffset\\[2,1\\]\\s+-1\\.5000\\n.*"), table);
    String json = SummaryWriter.json(p);
    assertTrue(json.contains("\"parameters\": {\n    \"m\": 0.25,\n    \"offset\": [\n      [\n        -1.5,"), json);
  }

  /**
   * Held-out elements are predicted with the parameters the run used: with m = 5, each new y is N(5, sqrt(1.25))
   * marginally (its x drawn from the model given m); with the initial m = 0 it would be 100 nats off.
   */
  @Test
  void predictionsUseTheRunsModelParameters() {
    Model m = Models.bind(SHIFT, AnalyticPosteriorTest.json("y", data()));
    double[][] params = m.fit(FitOptions.defaults(1).withMethod(FitMethod.VI).withIterations(1)).paramsCopy();
    for (int p = 0; p < params.length; p++) {
      if (m.spec().params()[p].name().equals("m")) {
        params[p][0] = 5;
      }
    }
    Posterior posterior = m.sample(SampleOptions.of(30, 2).withDraws(20000), params, Progress.NONE);
    double[] held = {4.5, 6.0, 5.2};
    org.alan.runtime.engine.Predictive.Result r = m.predict(Models.data(AnalyticPosteriorTest.json("y", held)),
        "obs", posterior, 3);
    double exact = 0;
    for (double y : held) {
      exact += -0.5 * Math.log(2 * Math.PI * 1.25) - (y - 5) * (y - 5) / (2 * 1.25);
    }
    assertEquals(exact, r.total(), 4 * r.standardError() + 0.02);
  }
}
