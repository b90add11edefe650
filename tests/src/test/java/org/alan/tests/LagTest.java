package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.InferenceException;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.engine.Simulator;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.io.DataException;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;

/**
 * {@code lag} and {@code cumsum}: the values they compute (per series of an enclosing plate, with and without
 * initial values), the observations a lag without an initial value leaves out, and an AR(2) regression as Stan
 * writes it ({@code for (t in 3:T) y[t] ~ normal(alpha + beta[1] * y[t-1] + beta[2] * y[t-2], sigma)}) against its
 * exact posterior under flat priors.
 */
class LagTest {
  static final String AR2 = """
      model Ar2 {
        alpha ~ Flat();
        beta[2] ~ Flat();
        sigma ~ HalfFlat();
        plate times {
          data y ~ Normal(alpha + beta[1] * lag(y, 1) + beta[2] * lag(y, 2), sigma);
        }
      }
      """;

  @Test
  void lagsAndRunningSumsStayWithinEachSeries() {
    String source = """
        model Series {
          mu ~ Normal(0, 1);
          plate units {
            plate times {
              input x;
              data y ~ Normal(mu + lag(x, 1, -1) + cumsum(lag(x, 1, 0)) + lag(2 * x, 2), 1);
            }
          }
        }
        """;
    CompiledModel model = Models.compile(source);
    BoundData bound = DataBinder.bind(model, Models.data(
        "{\"x\": [[1, 2, 3, 4], [10, 20, 30, 40]], \"y\": [[0, 0, 0, 0], [0, 0, 0, 0]]}"));
    assertArrayEquals(new double[] {-1, 1, 2, 3, -1, 10, 20, 30}, computed(model, bound, "lag(x, 1, -1)"));
    assertArrayEquals(new double[] {0, 1, 3, 6, 0, 10, 30, 60}, computed(model, bound, "cumsum(lag(x, 1, 0))"));
    // without an initial value the first elements repeat their own value, and only masked observations read them
    assertArrayEquals(new double[] {2, 4, 2, 4, 20, 40, 20, 40}, computed(model, bound, "lag(2 * x, 2)"));
    assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 1, 1},
        computed(model, bound, "observed_from(times, 3)"));
  }

  @Test
  void lagsAlongRowsGroupedByAnIndexFollowEachGroupsRows() {
    String source = """
        model Panel {
          plate units { a ~ Normal(0, 1); }
          plate rows {
            input unit : units;
            input x;
            data y ~ Normal(a[unit] + lag(x, 1, 0), 1);
          }
        }
        """;
    CompiledModel model = Models.compile(source);
    BoundData bound = DataBinder.bind(model, Models.data(
        "{\"unit\": [1, 2, 1, 2, 1], \"x\": [1, 2, 3, 4, 5], \"y\": [0, 0, 0, 0, 0]}"));
    // unit 1 owns rows 1, 3, 5 (x = 1, 3, 5), unit 2 rows 2, 4 (x = 2, 4), in the engine's grouped order
    assertArrayEquals(new double[] {0, 1, 3, 0, 2}, computed(model, bound, "lag(x, 1, 0)"));
  }

  @Test
  void anObservationReadingALagWithoutInitStartsAfterIt() {
    // the same likelihood written by hand: rows 3..T with their lags as inputs; with the same guide and seed the
    // two estimators see the same particles, so their estimates agree to rounding
    double[] y = series(40, 7);
    String lagged = """
        model Lagged {
          alpha ~ Normal(0, 1);
          beta ~ Normal(0, 1);
          plate times { data y ~ Normal(alpha + beta * lag(y, 2), 1); }
        }
        """;
    String byHand = """
        model ByHand {
          alpha ~ Normal(0, 1);
          beta ~ Normal(0, 1);
          plate times { input y2; data y ~ Normal(alpha + beta * y2, 1); }
        }
        """;
    StringBuilder later = new StringBuilder();
    StringBuilder lags = new StringBuilder();
    for (int t = 2; t < y.length; t++) {
      later.append(t > 2 ? ", " : "").append(y[t]);
      lags.append(t > 2 ? ", " : "").append(y[t - 2]);
    }
    Posterior a = Models.bind(lagged, "{\"y\": " + Models.jsonArray(y) + "}")
        .sample(SampleOptions.of(500, 3), Progress.NONE);
    Posterior b = Models.bind(byHand, "{\"y\": [" + later + "], \"y2\": [" + lags + "]}")
        .sample(SampleOptions.of(500, 3), Progress.NONE);
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 1e-9);
    assertEquals(b.means("beta")[0], a.means("beta")[0], 1e-9);
  }

  @Test
  void theFirstElementsALagLeavesOutAreNeitherEvaluatedNorChecked() {
    // only t = 3 is modelled, and it reads x[1] = 1; x[2] = 0 would be an invalid scale, as y[2] = 0 a Poisson rate
    String scale = """
        model Scale {
          b ~ Normal(0, 1);
          plate times { input x; data y ~ Normal(b, 2 * lag(x, 2)); }
        }
        """;
    Posterior a = Models.bind(scale, "{\"x\": [1, 0, 3], \"y\": [1, 0, 3]}").sample(SampleOptions.of(2000, 1),
        Progress.NONE);
    // b | y_3 ~ N(3 / (1 + 4) * 1, 4 / 5) with prior N(0, 1) and observation sd 2
    assertEquals(0.6, a.means("b")[0], 5 * Math.sqrt(0.8) / Math.sqrt(a.ess("b")));
    String rate = """
        model Rate {
          b ~ Normal(0, 1);
          plate times { data y ~ Poisson(lag(y, 2) * exp(b)); }
        }
        """;
    Posterior r = Models.bind(rate, "{\"y\": [1, 0, 3]}").sample(SampleOptions.of(500, 1), Progress.NONE);
    assertTrue(Double.isFinite(r.logMarginalLikelihood()));
    // a unit with a single row contributes nothing, even where its placeholder would be log 0
    String panel = """
        model Panel {
          b ~ Normal(0, 1);
          plate units { plate obs(ragged) { data y ~ Poisson(exp(b * log(lag(y, 1)))); } }
        }
        """;
    Posterior q = Models.bind(panel, "{\"y\": [[2, 3, 4, 2], [0], [1, 2]]}").sample(SampleOptions.of(500, 1),
        Progress.NONE);
    assertTrue(Double.isFinite(q.logMarginalLikelihood()));
  }

  @Test
  void ar2MatchesTheExactPosterior() {
    double[] y = series(200, 1);
    int rows = y.length - 2;
    double[][] x = new double[rows][];
    double[] target = new double[rows];
    for (int t = 2; t < y.length; t++) {
      x[t - 2] = new double[] {1, y[t - 1], y[t - 2]};
      target[t - 2] = y[t];
    }
    ImproperPriorTest.Exact exact = ImproperPriorTest.Exact.of(x, target);
    CompiledModel compiled = Models.compile(AR2);
    Model m = Models.bind(compiled, "{\"y\": " + Models.jsonArray(y) + "}");
    long t0 = System.nanoTime();
    FitOptions fit = new FitOptions(FitMethod.QEM, FitOptions.automaticK(compiled.spec(), m.plateSizes(), 1000), 100,
        FitMethod.QEM.defaultLr(), 1, 0, ParentSampler.PERMUTATION);
    Posterior p = m.sampleFitted(SampleOptions.of(1000, 1), fit, Progress.NONE).posterior();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double ess = p.ess("beta");
    RandomInterceptTest.assertWithin("alpha", p.means("alpha")[0], p.sds("alpha")[0], exact.mean()[0],
        exact.sd()[0], ess);
    for (int j = 0; j < 2; j++) {
      RandomInterceptTest.assertWithin("beta[" + (j + 1) + "]", p.means("beta")[j], p.sds("beta")[j],
          exact.mean()[j + 1], exact.sd()[j + 1], ess);
    }
    RandomInterceptTest.assertWithin("sigma", p.means("sigma")[0], p.sds("sigma")[0], exact.sigmaMean(),
        exact.sigmaSd(), ess);
    System.out.printf(Locale.ROOT, "AR(2), 200 steps, flat priors: alpha %.4f (%.4f) exact %.4f (%.4f); beta %.4f,"
        + " %.4f exact %.4f, %.4f; sigma %.4f exact %.4f; ESS %.0f; %.2f s%n", p.means("alpha")[0],
        p.sds("alpha")[0], exact.mean()[0], exact.sd()[0], p.means("beta")[0], p.means("beta")[1], exact.mean()[1],
        exact.mean()[2], p.means("sigma")[0], exact.sigmaMean(), ess, seconds);
  }

  @Test
  void lagsOfObservedDataCannotBeSimulatedNorExtended() {
    CompiledModel compiled = Models.compile(AR2.replace("HalfFlat()", "HalfNormal(1)").replace("Flat()",
        "Normal(0, 1)"));
    InferenceException simulate = assertThrows(InferenceException.class,
        () -> Simulator.run(compiled, Models.data("{}"), Map.of("times", 5), 1));
    assertTrue(simulate.getMessage().contains("'lag(y, 1)'"), simulate.getMessage());

    String source = """
        model Trend {
          beta ~ Normal(0, 1);
          plate times { input x; data y ~ Normal(beta * cumsum(x), 1); }
        }
        """;
    Model m = Models.bind(source, "{\"x\": [1, 2, 3], \"y\": [1, 3, 6]}");
    Posterior p = m.sample(SampleOptions.of(100, 1).withDraws(10), Progress.NONE);
    InferenceException predict = assertThrows(InferenceException.class,
        () -> m.predict(Models.data("{\"x\": [4], \"y\": [10]}"), "times", p, 1));
    assertTrue(predict.getMessage().contains("computes 'cumsum(x)' along it"), predict.getMessage());
  }

  @Test
  void aComputedInputPassedAsAParameterIsChecked() {
    String source = """
        model Counts {
          plate times { data y ~ Poisson(lag(y, 1, 1)); }
          b ~ Normal(0, 1);
        }
        """;
    DataException e = assertThrows(DataException.class, () -> Models.bind(source, "{\"y\": [3, 0, 2]}"));
    assertTrue(e.getMessage().contains("'lag(y, 1, 1)' = 0.0") && e.getMessage().contains("rate of the Poisson"),
        e.getMessage());
  }

  private static double[] computed(CompiledModel model, BoundData bound, String name) {
    int id = model.spec().variableIndex(name);
    assertTrue(id >= 0 && model.spec().isComputedInput(id), name + " is no computed input");
    return bound.values()[id];
  }

  /** y[t] = 0.6 + 0.5 y[t-1] - 0.4 y[t-2] + N(0, 0.8). */
  private static double[] series(int n, long seed) {
    Random random = new Random(seed);
    double[] y = new double[n];
    for (int t = 0; t < n; t++) {
      y[t] = 0.6 + (t >= 1 ? 0.5 * y[t - 1] : 0) - (t >= 2 ? 0.4 * y[t - 2] : 0) + 0.8 * random.nextGaussian();
    }
    return y;
  }

}
