package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.DataFiles;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A random-intercept regression as Stan users write it, {@code y[i] ~ normal(alpha[county[i]] + beta * x[i], sigma)}:
 * 85 counties of 1 to 116 houses (850 rows, one CSV table with a 1-based county column), the automatic guide fitted
 * and then sampled, centred and non-centred, against the exact posterior. Given (tau, sigma) the model is
 * linear-Gaussian in (mu, beta, alpha), so the reference integrates (log tau, log sigma) on a 200 x 200 grid and
 * takes each grid point's Gaussian moments in closed form (the alpha block of the precision is diagonal, so a 2 x 2
 * Schur complement gives everything in O(counties)).
 *
 * <p>Tolerances come from the Monte Carlo error: a mean within {@code max(0.1, 4 / sqrt(n))} posterior sd, an sd
 * within {@code max(10%, 5 / sqrt(2 n))}, with n the run's own ESS per quantity (for alpha, at most the number of
 * draws it is summarised from). The automatic guide non-centres the centred form and decorrelates both from the
 * global latents, so the two forms run the same estimator: at K = 1200 the global ESS is about 1150, which makes
 * the tolerances the 0.1 sd and 10% for the global latents (0.118 and 10% for alpha's 4000 draws). About
 * 35 s: run it with {@code mvn verify -Pstatistical}.
 */
@Tag("statistical")
class RandomInterceptTest {
  private static final int K = 1200;
  private static final int FIT_K = 300;
  /** Joint draws: the summaries of latents read through other groups (alpha, both forms) average over them. */
  private static final int DRAWS = 4000;
  private static final int GRID = 200;
  private static final double PRIOR_LOC_SD = 10;
  private static final double PRIOR_SCALE = 5;

  @TempDir
  Path dir;

  static final String CENTRED = """
      model RandomIntercept {
        mu ~ Normal(0, 10);
        tau ~ HalfNormal(5);
        sigma ~ HalfNormal(5);
        beta ~ Normal(0, 10);
        plate counties {
          alpha ~ Normal(mu, tau);
        }
        plate houses {
          input county : counties;
          input x;
          data y ~ Normal(alpha[county] + beta * x, sigma);
        }
      }
      """;

  static final String NON_CENTRED = """
      model RandomInterceptNc {
        mu ~ Normal(0, 10);
        tau ~ HalfNormal(5);
        sigma ~ HalfNormal(5);
        beta ~ Normal(0, 10);
        plate counties {
          alpha_raw ~ Normal(0, 1);
          let alpha = mu + tau * alpha_raw;
        }
        plate houses {
          input county : counties;
          input x;
          data y ~ Normal(alpha[county] + beta * x, sigma);
        }
      }
      """;

  /** The data: county sizes from a log-normal (1 to 116), a binary covariate, rows shuffled. */
  private record Data(int[] county, double[] x, double[] y, int counties) {
    static Data simulate(long seed) {
      Random rng = new Random(seed);
      int counties = 85;
      int[] sizes = new int[counties];
      for (int j = 0; j < counties; j++) {
        sizes[j] = (int) Math.max(1, Math.min(116, Math.round(Math.exp(1.8 + 1.1 * rng.nextGaussian()))));
      }
      sizes[0] = 116;
      sizes[1] = 1;
      List<double[]> rows = new ArrayList<>();
      for (int j = 0; j < counties; j++) {
        double alpha = 1.3 + 0.35 * rng.nextGaussian();
        for (int i = 0; i < sizes[j]; i++) {
          double x = rng.nextDouble() < 0.7 ? 1 : 0;
          rows.add(new double[] {j + 1, x, alpha - 0.65 * x + 0.75 * rng.nextGaussian()});
        }
      }
      java.util.Collections.shuffle(rows, rng);
      int n = rows.size();
      int[] county = new int[n];
      double[] x = new double[n];
      double[] y = new double[n];
      for (int r = 0; r < n; r++) {
        county[r] = (int) rows.get(r)[0];
        x[r] = rows.get(r)[1];
        y[r] = rows.get(r)[2];
      }
      return new Data(county, x, y, counties);
    }

    String csv() {
      StringBuilder b = new StringBuilder("county,x,y\n");
      for (int r = 0; r < y.length; r++) {
        b.append(county[r]).append(',').append((int) x[r]).append(',')
            .append(String.format(Locale.ROOT, "%.17g", y[r])).append('\n');
      }
      return b.toString();
    }
  }

  /** Exact posterior means and sds: [mu, beta, tau, sigma, alpha_1 .. alpha_J] each. */
  private record Reference(double[] mean, double[] sd) {
    static Reference of(Data d) {
      int j = d.counties();
      double[] nj = new double[j];
      double[] sx = new double[j];
      double[] sy = new double[j];
      double sxx = 0;
      double sxy = 0;
      double syy = 0;
      for (int r = 0; r < d.y().length; r++) {
        int c = d.county()[r] - 1;
        nj[c]++;
        sx[c] += d.x()[r];
        sy[c] += d.y()[r];
        sxx += d.x()[r] * d.x()[r];
        sxy += d.x()[r] * d.y()[r];
        syy += d.y()[r] * d.y()[r];
      }
      int n = d.y().length;
      int q = 4 + j;
      double[] logWeight = new double[GRID * GRID];
      double[][] mean = new double[GRID * GRID][q];
      double[][] second = new double[GRID * GRID][q];
      double lowTau = Math.log(0.02);
      double highTau = Math.log(3);
      double lowSigma = Math.log(0.4);
      double highSigma = Math.log(1.3);
      for (int a = 0; a < GRID; a++) {
        double logTau = lowTau + (highTau - lowTau) * a / (GRID - 1);
        double tau = Math.exp(logTau);
        double t2 = 1 / (tau * tau);
        for (int b = 0; b < GRID; b++) {
          double logSigma = lowSigma + (highSigma - lowSigma) * b / (GRID - 1);
          double sigma = Math.exp(logSigma);
          double s2 = 1 / (sigma * sigma);
          // precision blocks: A over (mu, beta), D diagonal over alpha, B coupling alpha_j to (mu, beta)
          double a00 = 1 / (PRIOR_LOC_SD * PRIOR_LOC_SD) + j * t2;
          double a01 = 0;
          double a11 = 1 / (PRIOR_LOC_SD * PRIOR_LOC_SD) + sxx * s2;
          double r0 = 0;
          double r1 = sxy * s2;
          double logDetD = 0;
          double quadD = 0;
          double[] dd = new double[j];
          for (int c = 0; c < j; c++) {
            dd[c] = t2 + nj[c] * s2;
            double b0 = -t2;
            double b1 = sx[c] * s2;
            double bd = sy[c] * s2;
            a00 -= b0 * b0 / dd[c];
            a01 -= b0 * b1 / dd[c];
            a11 -= b1 * b1 / dd[c];
            r0 -= b0 * bd / dd[c];
            r1 -= b1 * bd / dd[c];
            logDetD += Math.log(dd[c]);
            quadD += bd * bd / dd[c];
          }
          double det = a00 * a11 - a01 * a01;
          double i00 = a11 / det;
          double i01 = -a01 / det;
          double i11 = a00 / det;
          double mMu = i00 * r0 + i01 * r1;
          double mBeta = i01 * r0 + i11 * r1;
          double logDetPrior = -2 * Math.log(PRIOR_LOC_SD) * 2 + j * Math.log(t2);
          double logLik = -0.5 * n * Math.log(2 * Math.PI / s2) + 0.5 * logDetPrior - 0.5 * (logDetD + Math.log(det))
              - 0.5 * (syy * s2 - (mMu * r0 + mBeta * r1) - quadD);
          int g = a * GRID + b;
          // half-normal priors on tau and sigma, and the Jacobian of the log scale
          logWeight[g] = logLik - tau * tau / (2 * PRIOR_SCALE * PRIOR_SCALE)
              - sigma * sigma / (2 * PRIOR_SCALE * PRIOR_SCALE) + logTau + logSigma;
          mean[g][0] = mMu;
          second[g][0] = i00 + mMu * mMu;
          mean[g][1] = mBeta;
          second[g][1] = i11 + mBeta * mBeta;
          mean[g][2] = tau;
          second[g][2] = tau * tau;
          mean[g][3] = sigma;
          second[g][3] = sigma * sigma;
          for (int c = 0; c < j; c++) {
            double b0 = -t2;
            double b1 = sx[c] * s2;
            double m = (sy[c] * s2 - b0 * mMu - b1 * mBeta) / dd[c];
            double v = 1 / dd[c] + (b0 * (i00 * b0 + i01 * b1) + b1 * (i01 * b0 + i11 * b1)) / (dd[c] * dd[c]);
            mean[g][4 + c] = m;
            second[g][4 + c] = v + m * m;
          }
        }
      }
      double max = java.util.Arrays.stream(logWeight).max().orElseThrow();
      double total = 0;
      double[] m = new double[q];
      double[] m2 = new double[q];
      for (int g = 0; g < logWeight.length; g++) {
        double w = Math.exp(logWeight[g] - max);
        total += w;
        for (int i = 0; i < q; i++) {
          m[i] += w * mean[g][i];
          m2[i] += w * second[g][i];
        }
      }
      double[] sd = new double[q];
      for (int i = 0; i < q; i++) {
        m[i] /= total;
        sd[i] = Math.sqrt(m2[i] / total - m[i] * m[i]);
      }
      return new Reference(m, sd);
    }
  }

  private Posterior sample(String source, Path table, long seed) {
    CompiledModel compiled = Models.compile(source);
    Model m = Model.of(compiled, DataFiles.read(compiled.spec(), List.of(table)));
    FitOptions fit = new FitOptions(FitMethod.QEM, FIT_K, 100, FitMethod.QEM.defaultLr(), seed, 0,
        ParentSampler.PERMUTATION);
    return m.sampleFitted(SampleOptions.of(K, seed).withDraws(DRAWS), fit, Progress.NONE).posterior();
  }

  private void check(String name, Posterior p, Reference ref, int counties, StringBuilder report) {
    String[] globals = {"mu", "beta", "tau", "sigma"};
    double worstMean = 0;
    double worstSd = 0;
    for (int i = 0; i < 4; i++) {
      double ess = p.ess(globals[i]);
      assertWithin(name + " " + globals[i], p.mean(globals[i]), p.sd(globals[i]), ref.mean()[i], ref.sd()[i], ess);
      worstMean = Math.max(worstMean, Math.abs(p.mean(globals[i]) - ref.mean()[i]) / ref.sd()[i]);
      worstSd = Math.max(worstSd, Math.abs(p.sd(globals[i]) / ref.sd()[i] - 1));
    }
    // alpha is a latent of the centred form and a derived let of the non-centred one: both are read through the
    // global latents' particles, so both are summarised from the joint draws, no more diverse than DRAWS
    {
      double[] mean = p.means("alpha");
      double[] sd = p.sds("alpha");
      double[] ess = p.essArray("alpha");
      for (int c = 0; c < counties; c++) {
        assertWithin(name + " alpha[" + (c + 1) + "]", mean[c], sd[c], ref.mean()[4 + c], ref.sd()[4 + c],
            Math.min(ess[c], DRAWS));
        worstMean = Math.max(worstMean, Math.abs(mean[c] - ref.mean()[4 + c]) / ref.sd()[4 + c]);
        worstSd = Math.max(worstSd, Math.abs(sd[c] / ref.sd()[4 + c] - 1));
      }
    }
    report.append(String.format(Locale.ROOT, "%s: worst |mean err|/sd %.3f, worst |sd ratio - 1| %.3f, global ESS"
        + " %.0f, log p(y) %.3f%n", name, worstMean, worstSd, p.ess("mu"), p.logMarginalLikelihood()));
  }

  /**
   * A posterior mean within {@code max(0.1, 4 / sqrt(ESS))} exact posterior sd and an sd within
   * {@code max(10%, 5 / sqrt(2 ESS))}: the tolerances, or the Monte Carlo error where it is larger.
   */
  static void assertWithin(String what, double mean, double sd, double exactMean, double exactSd,
      double ess) {
    double meanTol = Math.max(0.1, 4 / Math.sqrt(ess));
    double sdTol = Math.max(0.10, 5 / Math.sqrt(2 * ess));
    double meanErr = Math.abs(mean - exactMean) / exactSd;
    double sdErr = Math.abs(sd / exactSd - 1);
    assertTrue(meanErr <= meanTol, String.format(Locale.ROOT, "%s: mean %.5f, exact %.5f: %.3f sd off (tolerance"
        + " %.3f, ESS %.0f)", what, mean, exactMean, meanErr, meanTol, ess));
    assertTrue(sdErr <= sdTol, String.format(Locale.ROOT, "%s: sd %.5f, exact %.5f: ratio off by %.3f (tolerance"
        + " %.3f, ESS %.0f)", what, sd, exactSd, sdErr, sdTol, ess));
  }

  @Test
  void centredAndNonCentredMatchTheExactPosterior() throws Exception {
    Data data = Data.simulate(11);
    Path table = dir.resolve("radon.csv");
    Files.writeString(table, data.csv());
    Reference ref = Reference.of(data);
    StringBuilder report = new StringBuilder();
    long t0 = System.nanoTime();
    Posterior centred = sample(CENTRED, table, 1);
    check("centred", centred, ref, data.counties(), report);
    long t1 = System.nanoTime();
    Posterior nonCentred = sample(NON_CENTRED, table, 2);
    check("non-centred", nonCentred, ref, data.counties(), report);
    long t2 = System.nanoTime();
    // the two forms against each other: each mean within the Monte Carlo error of the difference of two runs
    for (String g : new String[] {"mu", "beta", "tau", "sigma"}) {
      double se = centred.sd(g) * Math.sqrt(1 / centred.ess(g) + 1 / nonCentred.ess(g));
      assertTrue(Math.abs(centred.mean(g) - nonCentred.mean(g)) <= Math.max(0.1 * centred.sd(g), 4 * se),
          g + ": centred " + centred.mean(g) + ", non-centred " + nonCentred.mean(g));
    }
    System.out.printf(Locale.ROOT, "%scentred %.1f s, non-centred %.1f s (fit at K = %d, sample at K = %d)%n",
        report, (t1 - t0) / 1e9, (t2 - t1) / 1e9, FIT_K, K);
  }
}
