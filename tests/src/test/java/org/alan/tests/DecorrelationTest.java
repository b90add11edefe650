package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ShearSpec;
import org.junit.jupiter.api.Test;

/**
 * The automatic guide's decorrelation and non-centring (compiler: check.Decorrelation; runtime: learn.ShearFit):
 * which latents get them, that a posterior correlated at -0.995 comes out exact with almost all particles effective,
 * and that a centred program and its non-centred rewrite by hand run the same estimator.
 */
class DecorrelationTest {
  private static final int K = 400;

  /** y ~ Normal(a + b x, 1) with x near 50: the posterior of (a, b) is correlated at about -0.995. */
  private static final String REGRESSION = """
      model Regression {
        a ~ Normal(0, 10);
        b ~ Normal(0, 10);
        plate rows {
          input x;
          data y ~ Normal(a + b * x, 1);
        }
      }
      """;

  @Test
  void uncentredPredictorGivesTheExactCorrelatedPosterior() {
    Random rng = new Random(5);
    int n = 40;
    double[] x = new double[n];
    double[] y = new double[n];
    StringBuilder json = new StringBuilder("{\"x\": [");
    StringBuilder ys = new StringBuilder("\"y\": [");
    for (int i = 0; i < n; i++) {
      x[i] = 50 + 5 * rng.nextGaussian();
      y[i] = 2 + 0.3 * x[i] + rng.nextGaussian();
      json.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.17g", x[i]));
      ys.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.17g", y[i]));
    }
    json.append("], ").append(ys).append("]}");
    // exact: precision X'X + I / 100, mean its inverse times X'y
    double p00 = n + 0.01;
    double p01 = 0;
    double p11 = 0.01;
    double r0 = 0;
    double r1 = 0;
    for (int i = 0; i < n; i++) {
      p01 += x[i];
      p11 += x[i] * x[i];
      r0 += y[i];
      r1 += x[i] * y[i];
    }
    double det = p00 * p11 - p01 * p01;
    double meanA = (p11 * r0 - p01 * r1) / det;
    double meanB = (p00 * r1 - p01 * r0) / det;
    double sdA = Math.sqrt(p11 / det);
    double sdB = Math.sqrt(p00 / det);
    assertTrue(-p01 / Math.sqrt(p00 * p11) < -0.99, "the posterior is strongly correlated");

    CompiledModel compiled = Models.compile(REGRESSION);
    ShearSpec shear = compiled.spec().shearOf(compiled.spec().variableIndex("b"));
    assertTrue(shear != null && shear.perParticle(compiled.spec()), "b is decorrelated from a, in its group");
    Model m = Models.bind(compiled, json.toString());
    Posterior p = m.sampleFitted(SampleOptions.of(K, 3), FitOptions.defaults(3), Progress.NONE).posterior();
    double ess = p.ess("a");
    // a mean-field proposal on a correlation of -0.995 keeps 3% of its particles (ESS 12.5 of 400 here); this most
    assertTrue(ess > 0.6 * K, "ESS " + ess);
    RandomInterceptTest.assertWithin("a", p.mean("a"), p.sd("a"), meanA, sdA, ess);
    RandomInterceptTest.assertWithin("b", p.mean("b"), p.sd("b"), meanB, sdB, ess);
  }

  private static final String CENTRED = """
      model Hier {
        mu ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        plate groups {
          input s;
          theta ~ Normal(mu, tau);
          data y ~ Normal(theta, s);
        }
      }
      """;

  private static final String NON_CENTRED = """
      model Hier {
        mu ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        plate groups {
          input s;
          theta ~ Normal(0, 1);
          let eta = mu + tau * theta;
          data y ~ Normal(eta, s);
        }
      }
      """;

  private static final String DATA = "{\"y\": [28, 8, -3, 7, -1, 1, 18, 12], \"s\": [15, 10, 16, 11, 9, 11, 10, 18]}";

  @Test
  void centredProgramRunsTheEstimatorOfItsNonCentredForm() {
    CompiledModel centred = Models.compile(CENTRED);
    CompiledModel nonCentred = Models.compile(NON_CENTRED);
    ShearSpec shear = centred.spec().shearOf(centred.spec().variableIndex("theta"));
    assertTrue(shear != null && shear.nonCentred(), "theta ~ Normal(mu, tau) is non-centred");
    assertTrue(nonCentred.spec().shearOf(nonCentred.spec().variableIndex("theta")) != null,
        "the standardised theta is decorrelated from mu and tau");
    Posterior a = Models.bind(centred, DATA)
        .sampleFitted(SampleOptions.of(K, 7), FitOptions.defaults(7).withK(100), Progress.NONE).posterior();
    Posterior b = Models.bind(nonCentred, DATA)
        .sampleFitted(SampleOptions.of(K, 7), FitOptions.defaults(7).withK(100), Progress.NONE).posterior();
    assertEquals(b.logMarginalLikelihood(), a.logMarginalLikelihood(), 1e-9);
    assertEquals(b.mean("mu"), a.mean("mu"), 1e-9);
    assertEquals(b.sd("tau"), a.sd("tau"), 1e-9);
    // the centred theta is the non-centred eta, reported from the same joint draws
    double[] theta = a.means("theta");
    double[] eta = b.means("eta");
    for (int j = 0; j < 8; j++) {
      assertEquals(eta[j], theta[j], 1e-9);
    }
    assertEquals(a.derivedNames(), java.util.List.of(), "a latent reported from the draws is not listed twice");
  }

  @Test
  void heavyTailedRandomEffectsAreNonCentredToo() {
    // theta ~ StudentT(4, mu, tau) runs the estimator of z ~ StudentT(4, 0, 1), theta = mu + tau * z
    String centred = CENTRED.replace("theta ~ Normal(mu, tau);", "theta ~ StudentT(4, mu, tau);");
    String nonCentred = NON_CENTRED.replace("theta ~ Normal(0, 1);", "theta ~ StudentT(4, 0, 1);");
    CompiledModel a = Models.compile(centred);
    assertTrue(a.spec().shearOf(a.spec().variableIndex("theta")).nonCentred(), "a Student-t effect is non-centred");
    Posterior pa = Models.bind(a, DATA)
        .sampleFitted(SampleOptions.of(K, 7), FitOptions.defaults(7).withK(100), Progress.NONE).posterior();
    Posterior pb = Models.bind(nonCentred, DATA)
        .sampleFitted(SampleOptions.of(K, 7), FitOptions.defaults(7).withK(100), Progress.NONE).posterior();
    assertEquals(pb.logMarginalLikelihood(), pa.logMarginalLikelihood(), 1e-9);
    assertEquals(pb.means("eta")[0], pa.means("theta")[0], 1e-9);
  }

  @Test
  void threeLevelObservationsKeepTheirPowerOfK() {
    CompiledModel m = Models.compile("""
        model Nest3 {
          mu ~ Normal(0, 5);
          tau_s ~ HalfNormal(2);
          tau_c ~ HalfNormal(2);
          sigma ~ HalfNormal(2);
          plate states {
            a_s ~ Normal(mu, tau_s);
            plate counties {
              a_c ~ Normal(a_s, tau_c);
              plate houses { data y ~ Normal(a_c, sigma); }
            }
          }
        }
        """);
    // a_s is non-centred (a_c's prior reads the global and state dimensions already); a_c stays centred: non-centred,
    // every house would read the state and global particles too, K^3 per house instead of K^2
    ShearSpec states = m.spec().shearOf(m.spec().variableIndex("a_s"));
    assertTrue(states != null && states.nonCentred());
    assertEquals(null, m.spec().shearOf(m.spec().variableIndex("a_c")));
  }

  @Test
  void guideFilesNeedTheCoefficientsOfNonCentredLatentsOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Model centred = Models.bind(CENTRED, DATA);
    java.nio.file.Path file = dir.resolve("old.json");
    String eight = "[0, 0, 0, 0, 0, 0, 0, 0]";
    java.nio.file.Files.writeString(file, "{\"mu_loc\": 0, \"mu_scale\": 1, \"tau_loc\": 0, \"tau_scale\": 1,"
        + " \"theta_loc\": " + eight + ", \"theta_scale\": [1, 1, 1, 1, 1, 1, 1, 1]}");
    // theta is non-centred: its proposal is on the standardised scale, which a file without its shift did not mean
    org.alan.runtime.io.DataException e = org.junit.jupiter.api.Assertions.assertThrows(
        org.alan.runtime.io.DataException.class,
        () -> org.alan.runtime.io.GuideFile.read(centred.spec(), centred.nest(), file));
    assertTrue(e.getMessage().contains("no parameter 'theta_shear_mu'") && e.getMessage().contains("fit it again"),
        e.getMessage());
    // the regression's b is only decorrelated from a: without its coefficients it is read as its particle
    Model regression = Models.bind(REGRESSION, "{\"x\": [1, 2], \"y\": [1, 2]}");
    java.nio.file.Path plain = dir.resolve("plain.json");
    java.nio.file.Files.writeString(plain, "{\"a_loc\": 1, \"a_scale\": 2, \"b_loc\": 3, \"b_scale\": 4}");
    double[][] params = org.alan.runtime.io.GuideFile.read(regression.spec(), regression.nest(), plain);
    int shear = java.util.stream.IntStream.range(0, regression.spec().params().length)
        .filter(p -> regression.spec().params()[p].name().equals("b_shear_a")).findFirst().orElseThrow();
    assertEquals(0, params[shear][0]);
  }
}
