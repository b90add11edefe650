package org.alan.tests;

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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Generalised linear models as Stan users write them, sampled as {@code sample} does by default (the automatic
 * guide fitted by QEM, then K particles), against posteriors integrated numerically:
 * <ul>
 *   <li>a Bernoulli-logit regression on 3,000 rows with an uncentred predictor, {@code beta[1] + beta[2] * x}: the
 *       reference is a 2-D grid over the coefficients;</li>
 *   <li>a hierarchical binomial-logit model of 15 groups (vague priors on the mean and scale): the reference is a grid
 *       over (mu, tau), each group's alpha integrated at every grid point on a standardised grid
 *       {@code alpha = mu + tau z}.</li>
 * </ul>
 * Tolerances as in {@link RandomInterceptTest}: a mean within {@code max(0.1, 4 / sqrt(ESS))} posterior sd and an
 * sd within {@code max(10%, 5 / sqrt(2 ESS))}. Run with {@code mvn verify -Pstatistical}.
 */
@Tag("statistical")
class GlmReferenceTest {
  static final String LOGISTIC = """
      model Logistic {
        beta[2] ~ Normal(0, 5);
        plate rows {
          input x;
          data y ~ Bernoulli(logits = beta[1] + beta[2] * x);
        }
      }
      """;

  static final String HIERARCHICAL = """
      model HierarchicalBinomial {
        mu ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        plate groups {
          input n;
          alpha ~ Normal(mu, tau);
          data y ~ Binomial(n, logits = alpha);
        }
      }
      """;

  @Test
  void bernoulliLogitRegressionMatchesTheGrid() {
    int rows = 3000;
    Random random = new Random(5);
    double[] x = new double[rows];
    int[] y = new int[rows];
    StringBuilder xs = new StringBuilder();
    StringBuilder ys = new StringBuilder();
    for (int i = 0; i < rows; i++) {
      x[i] = 2 + 1.5 * random.nextGaussian(); // uncentred: intercept and slope are correlated a posteriori
      y[i] = random.nextDouble() < 1 / (1 + Math.exp(-(-1.2 + 0.6 * x[i]))) ? 1 : 0;
      xs.append(i > 0 ? ", " : "").append(x[i]);
      ys.append(i > 0 ? ", " : "").append(y[i]);
    }
    double[][] ref = logisticReference(x, y);
    long t0 = System.nanoTime();
    Posterior p = sample(LOGISTIC, "{\"x\": [" + xs + "], \"y\": [" + ys + "]}", 1000, 3);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[] mean = p.means("beta");
    double[] sd = p.sds("beta");
    double ess = p.ess("beta");
    for (int j = 0; j < 2; j++) {
      RandomInterceptTest.assertWithin("beta[" + (j + 1) + "]", mean[j], sd[j], ref[0][j], ref[1][j], ess);
    }
    System.out.printf(Locale.ROOT, "Bernoulli-logit, 3000 rows: beta %.4f (%.4f), %.4f (%.4f); exact %.4f (%.4f),"
        + " %.4f (%.4f); ESS %.0f; %.1f s%n", mean[0], sd[0], mean[1], sd[1], ref[0][0], ref[1][0], ref[0][1],
        ref[1][1], ess, seconds);
  }

  /** Means and sds of (beta1, beta2) on a grid of +-7 sd around the mode, prior Normal(0, 5) each. */
  private static double[][] logisticReference(double[] x, int[] y) {
    int grid = 240;
    // the mode and curvature from a few Newton steps, to place the grid
    double b0 = 0;
    double b1 = 0;
    double[][] h = new double[2][2];
    for (int it = 0; it < 30; it++) {
      double g0 = -b0 / 25;
      double g1 = -b1 / 25;
      h = new double[][] {{1.0 / 25, 0}, {0, 1.0 / 25}};
      for (int i = 0; i < x.length; i++) {
        double pr = 1 / (1 + Math.exp(-(b0 + b1 * x[i])));
        g0 += y[i] - pr;
        g1 += (y[i] - pr) * x[i];
        double w = pr * (1 - pr);
        h[0][0] += w;
        h[0][1] += w * x[i];
        h[1][1] += w * x[i] * x[i];
      }
      h[1][0] = h[0][1];
      double det = h[0][0] * h[1][1] - h[0][1] * h[0][1];
      b0 += (h[1][1] * g0 - h[0][1] * g1) / det;
      b1 += (-h[0][1] * g0 + h[0][0] * g1) / det;
    }
    double det = h[0][0] * h[1][1] - h[0][1] * h[0][1];
    double s0 = Math.sqrt(h[1][1] / det);
    double s1 = Math.sqrt(h[0][0] / det);
    double[] m = new double[2];
    double[] m2 = new double[2];
    double[][] logw = new double[grid][grid];
    double max = Double.NEGATIVE_INFINITY;
    for (int a = 0; a < grid; a++) {
      double c0 = b0 + s0 * (-7 + 14 * (a + 0.5) / grid);
      for (int b = 0; b < grid; b++) {
        double c1 = b1 + s1 * (-7 + 14 * (b + 0.5) / grid);
        double lw = -(c0 * c0 + c1 * c1) / 50;
        for (int i = 0; i < x.length; i++) {
          double eta = c0 + c1 * x[i];
          lw += y[i] * eta - (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta)));
        }
        logw[a][b] = lw;
        max = Math.max(max, lw);
      }
    }
    double total = 0;
    for (int a = 0; a < grid; a++) {
      double c0 = b0 + s0 * (-7 + 14 * (a + 0.5) / grid);
      for (int b = 0; b < grid; b++) {
        double c1 = b1 + s1 * (-7 + 14 * (b + 0.5) / grid);
        double w = Math.exp(logw[a][b] - max);
        total += w;
        m[0] += w * c0;
        m[1] += w * c1;
        m2[0] += w * c0 * c0;
        m2[1] += w * c1 * c1;
      }
    }
    double[][] out = new double[2][2];
    for (int j = 0; j < 2; j++) {
      out[0][j] = m[j] / total;
      out[1][j] = Math.sqrt(m2[j] / total - out[0][j] * out[0][j]);
    }
    return out;
  }

  @Test
  void hierarchicalBinomialLogitMatchesTheGrid() {
    int[] n = {5, 12, 30, 8, 60, 20, 3, 45, 15, 100, 10, 25, 7, 40, 18};
    int groups = n.length;
    Random random = new Random(8);
    int[] y = new int[groups];
    for (int j = 0; j < groups; j++) {
      double p = 1 / (1 + Math.exp(-(-0.5 + 0.8 * random.nextGaussian())));
      for (int t = 0; t < n[j]; t++) {
        y[j] += random.nextDouble() < p ? 1 : 0;
      }
    }
    double[][] ref = hierarchicalReference(n, y);
    StringBuilder json = new StringBuilder("{\"n\": ").append(java.util.Arrays.toString(n)).append(", \"y\": ")
        .append(java.util.Arrays.toString(y)).append('}');
    long t0 = System.nanoTime();
    Posterior p = sample(HIERARCHICAL, json.toString(), 1000, 2);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double ess = p.ess("mu");
    RandomInterceptTest.assertWithin("mu", p.mean("mu"), p.sd("mu"), ref[0][0], ref[1][0], ess);
    RandomInterceptTest.assertWithin("tau", p.mean("tau"), p.sd("tau"), ref[0][1], ref[1][1], ess);
    double[] mean = p.means("alpha");
    double[] sd = p.sds("alpha");
    double[] alphaEss = p.essArray("alpha");
    double worst = 0;
    for (int j = 0; j < groups; j++) {
      RandomInterceptTest.assertWithin("alpha[" + (j + 1) + "]", mean[j], sd[j], ref[0][2 + j], ref[1][2 + j],
          Math.min(ess, alphaEss[j]));
      worst = Math.max(worst, Math.abs(mean[j] - ref[0][2 + j]) / ref[1][2 + j]);
    }
    System.out.printf(Locale.ROOT, "hierarchical binomial-logit, %d groups: mu %.4f (%.4f) exact %.4f (%.4f), tau %.4f"
        + " (%.4f) exact %.4f (%.4f), worst alpha mean error %.3f sd; ESS %.0f; %.1f s%n", groups, p.mean("mu"),
        p.sd("mu"), ref[0][0], ref[1][0], p.mean("tau"), p.sd("tau"), ref[0][1], ref[1][1], worst, ess, seconds);
  }

  /**
   * Means and sds of mu, tau and every alpha_j: a midpoint grid over mu in [-5, 4] and tau in (0, 6], with each
   * group's likelihood integrated over alpha = mu + tau z by the trapezoid rule on z in [-8, 8].
   */
  private static double[][] hierarchicalReference(int[] n, int[] y) {
    int groups = n.length;
    int gridMu = 180;
    int gridTau = 180;
    int gridZ = 801;
    double[] z = new double[gridZ];
    double[] logPhi = new double[gridZ];
    for (int i = 0; i < gridZ; i++) {
      z[i] = -8 + 16.0 * i / (gridZ - 1);
      logPhi[i] = -0.5 * z[i] * z[i];
    }
    double[] m = new double[2 + groups];
    double[] m2 = new double[2 + groups];
    double[][] logw = new double[gridMu][gridTau];
    double[][][] alpha1 = new double[gridMu][gridTau][groups];
    double[][][] alpha2 = new double[gridMu][gridTau][groups];
    double max = Double.NEGATIVE_INFINITY;
    double[] terms = new double[gridZ];
    for (int a = 0; a < gridMu; a++) {
      double mu = -5 + 9 * (a + 0.5) / gridMu;
      for (int b = 0; b < gridTau; b++) {
        double tau = 6 * (b + 0.5) / gridTau;
        double lw = -mu * mu / 50 - tau * tau / 50;
        for (int j = 0; j < groups; j++) {
          double top = Double.NEGATIVE_INFINITY;
          for (int i = 0; i < gridZ; i++) {
            double al = mu + tau * z[i];
            double softplus = al > 0 ? al + Math.log1p(Math.exp(-al)) : Math.log1p(Math.exp(al));
            terms[i] = logPhi[i] + y[j] * al - n[j] * softplus;
            top = Math.max(top, terms[i]);
          }
          double s = 0;
          double s1 = 0;
          double s2 = 0;
          for (int i = 0; i < gridZ; i++) {
            double w = Math.exp(terms[i] - top) * (i == 0 || i == gridZ - 1 ? 0.5 : 1);
            double al = mu + tau * z[i];
            s += w;
            s1 += w * al;
            s2 += w * al * al;
          }
          lw += top + Math.log(s);
          alpha1[a][b][j] = s1 / s;
          alpha2[a][b][j] = s2 / s;
        }
        logw[a][b] = lw;
        max = Math.max(max, lw);
      }
    }
    double total = 0;
    for (int a = 0; a < gridMu; a++) {
      double mu = -5 + 9 * (a + 0.5) / gridMu;
      for (int b = 0; b < gridTau; b++) {
        double tau = 6 * (b + 0.5) / gridTau;
        double w = Math.exp(logw[a][b] - max);
        total += w;
        m[0] += w * mu;
        m2[0] += w * mu * mu;
        m[1] += w * tau;
        m2[1] += w * tau * tau;
        for (int j = 0; j < groups; j++) {
          m[2 + j] += w * alpha1[a][b][j];
          m2[2 + j] += w * alpha2[a][b][j];
        }
      }
    }
    double[][] out = new double[2][2 + groups];
    for (int i = 0; i < out[0].length; i++) {
      out[0][i] = m[i] / total;
      out[1][i] = Math.sqrt(m2[i] / total - out[0][i] * out[0][i]);
    }
    return out;
  }

  /** What {@code sample} does by default: the automatic guide fitted by QEM, then a run of K particles. */
  static Posterior sample(String source, String json, int k, long seed) {
    CompiledModel compiled = Models.compile(source);
    Model m = Models.bind(compiled, json);
    FitOptions fit = new FitOptions(FitMethod.QEM, FitOptions.automaticK(compiled.spec(), m.plateSizes(), k), 100,
        FitMethod.QEM.defaultLr(), seed, 0, ParentSampler.PERMUTATION);
    return m.sampleFitted(SampleOptions.of(k, seed), fit, Progress.NONE).posterior();
  }
}
