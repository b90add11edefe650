package org.alan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.api.ModelLoader;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.learn.FitMethod;
import org.alan.runtime.learn.FitOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled eight-schools example against a numerical reference: with theta integrated out analytically,
 * p(y | mu, tau) is a product of Normals, so the evidence and the posterior means of mu, tau and theta are
 * two-dimensional integrals, computed here on a fine grid.
 */
class EightSchoolsExampleTest {
  static final Path DIR = Path.of("eight_schools");
  static final double[] Y = {28, 8, -3, 7, -1, 1, 18, 12};
  static final double[] SIGMA = {15, 10, 16, 11, 9, 11, 10, 18};
  static Model model;
  static Reference reference;

  @BeforeAll
  static void compileAndIntegrate() throws Exception {
    CompilationResult result = AlanCompiler.compile(DIR.resolve("eight_schools.alan"),
        CompilerOptions.defaults().withBundleRuntime(false));
    assertTrue(result.succeeded(), result.renderDiagnostics());
    model = Model.of(ModelLoader.instantiate(result.artifacts().get(0)), JsonData.read(DIR.resolve("data.json")));
    reference = Reference.compute();
  }

  /** The grid integrals: log p(y), E[mu], E[tau], E[theta_j]. */
  record Reference(double logEvidence, double mu, double tau, double[] theta, double varMu, double varTau) {
    static Reference compute() {
      int nMu = 1400;
      int nTau = 1200;
      double muLo = -30;
      double muHi = 40;
      double tauHi = 40;
      double dMu = (muHi - muLo) / nMu;
      double dTau = tauHi / nTau;
      double[][] logw = new double[nMu][nTau];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < nMu; i++) {
        double mu = muLo + (i + 0.5) * dMu;
        for (int t = 0; t < nTau; t++) {
          double tau = (t + 0.5) * dTau;
          double lw = logNormal(mu, 0, 25) + Math.log(2) + logNormal(tau, 0, 25);
          for (int j = 0; j < Y.length; j++) {
            lw += logNormal(Y[j], mu, tau * tau + SIGMA[j] * SIGMA[j]);
          }
          logw[i][t] = lw;
          max = Math.max(max, lw);
        }
      }
      double z = 0;
      double mu1 = 0;
      double mu2 = 0;
      double tau1 = 0;
      double tau2 = 0;
      double[] theta = new double[Y.length];
      for (int i = 0; i < nMu; i++) {
        double mu = muLo + (i + 0.5) * dMu;
        for (int t = 0; t < nTau; t++) {
          double tau = (t + 0.5) * dTau;
          double w = Math.exp(logw[i][t] - max);
          z += w;
          mu1 += w * mu;
          mu2 += w * mu * mu;
          tau1 += w * tau;
          tau2 += w * tau * tau;
          for (int j = 0; j < Y.length; j++) {
            double precision = 1 / (tau * tau) + 1 / (SIGMA[j] * SIGMA[j]);
            theta[j] += w * (mu / (tau * tau) + Y[j] / (SIGMA[j] * SIGMA[j])) / precision;
          }
        }
      }
      for (int j = 0; j < theta.length; j++) {
        theta[j] /= z;
      }
      double m = mu1 / z;
      double tm = tau1 / z;
      return new Reference(max + Math.log(z * dMu * dTau), m, tm, theta, mu2 / z - m * m, tau2 / z - tm * tm);
    }

    private static double logNormal(double x, double mean, double var) {
      return -0.5 * (Math.log(2 * Math.PI * var) + (x - mean) * (x - mean) / var);
    }
  }

  @Test
  void logMarginalLikelihoodMatchesTheIntegral() {
    int runs = 12;
    double[] v = new double[runs];
    for (int r = 0; r < runs; r++) {
      v[r] = model.sample(SampleOptions.of(1000, 100 + r)).logMarginalLikelihood();
    }
    double mean = Arrays.stream(v).average().orElseThrow();
    double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (runs - 1);
    double se = Math.sqrt(var / runs);
    double seVar = var * Math.sqrt(2.0 / (runs - 1));
    String detail = String.format(Locale.ROOT, "exact %.4f, estimates %.4f +- %.4f", reference.logEvidence(), mean, se);
    assertTrue(mean - 6 * se < reference.logEvidence(), detail);
    assertTrue(reference.logEvidence() < mean + 6 * se + (var + 6 * seVar) / 2, detail);
  }

  @Test
  void posteriorMeansMatchTheIntegral() {
    Posterior p = model.sample(SampleOptions.of(3000, 7));
    double ess = p.ess("mu");
    assertEquals(reference.mu(), p.mean("mu"), 6 * Math.sqrt(reference.varMu() / ess), "E[mu]");
    assertEquals(reference.tau(), p.mean("tau"), 6 * Math.sqrt(reference.varTau() / ess), "E[tau]");
    double[] theta = p.means("theta");
    double[] sd = p.sds("theta");
    double[] thetaEss = p.essArray("theta");
    for (int j = 0; j < theta.length; j++) {
      assertEquals(reference.theta()[j], theta[j], 6 * sd[j] / Math.sqrt(Math.min(ess, thetaEss[j])), "E[theta_" + j + "]");
    }
  }

  /**
   * The non-centred form, with the automatic guide fitted as {@code sample} does by default, reports theta as a
   * derived quantity, whose means match the centred model's exact ones.
   */
  @Test
  void nonCentredFormReportsThetaAsADerivedQuantity() throws Exception {
    CompilationResult result = AlanCompiler.compile(DIR.resolve("eight_schools_noncentred.alan"),
        CompilerOptions.defaults().withBundleRuntime(false));
    assertTrue(result.succeeded(), result.renderDiagnostics());
    Model nonCentred = Model.of(ModelLoader.instantiate(result.artifacts().get(0)),
        JsonData.read(DIR.resolve("data.json")));
    SampleOptions options = SampleOptions.of(3000, 7);
    FitOptions fit = new FitOptions(FitMethod.QEM, FitOptions.automaticK(nonCentred.spec(), nonCentred.plateSizes(),
        3000), 100, FitMethod.QEM.defaultLr(), 7, 0, ParentSampler.PERMUTATION);
    Posterior p = nonCentred.sampleFitted(options, fit, Progress.NONE).posterior();
    assertEquals(java.util.List.of("theta"), p.derivedNames());
    double[] theta = p.means("theta");
    double[] sd = p.sds("theta");
    double[] ess = p.essArray("theta");
    for (int j = 0; j < theta.length; j++) {
      double mcse = sd[j] / Math.sqrt(Math.min(p.draws().count(), ess[j]));
      assertEquals(reference.theta()[j], theta[j], 6 * mcse, "E[theta_" + j + "] of the non-centred form");
    }
    assertEquals(reference.mu(), p.mean("mu"), 6 * Math.sqrt(reference.varMu() / p.ess("mu")), "E[mu]");
  }

  @Test
  void theBundledDataIsTheClassicData() throws Exception {
    String json = Files.readString(DIR.resolve("data.json"));
    assertTrue(json.contains("[28, 8, -3, 7, -1, 1, 18, 12]"), json);
  }
}
