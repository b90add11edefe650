package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diagnostics on every result (issue 9): the ESS of a plate latent is no larger than that of the globals it is
 * drawn with, the Pareto k-hat of every group's weights is reported, weak estimates are warned about, and
 * {@code --strict} turns the warnings into an exit status of 4.
 */
class DiagnosticsTest {
  private static final String TALL = """
      model Tall {
        mu ~ Normal(0, 10);
        plate obs { data y ~ Normal(mu, 1); }
      }
      """;

  /** 10,000 observations around 3: the posterior sd is 0.01, a thousandth of the prior's. */
  private static String tallData(double[] sumOut) {
    SplittableRandom random = new SplittableRandom(1);
    double[] y = new double[10_000];
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      y[i] = 3 + Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
      sum += y[i];
    }
    sumOut[0] = sum;
    return "{\"y\": " + Models.jsonArray(y) + "}";
  }

  /**
   * The first silent wrong answer: the prior as proposal on tall data gives ESS about 1. It is warned about
   * (a few effective particles, an infinite k-hat), and {@code --strict} fails with status 4 and prints no results;
   * the default run fits the guide, gives the exact posterior and passes {@code --strict}.
   */
  @Test
  void thePriorAsProposalOnTallDataIsFlaggedAndStrictFails(@TempDir Path dir) throws Exception {
    double[] sum = new double[1];
    Path data = dir.resolve("tall.json");
    Files.writeString(data, tallData(sum));
    CompiledModel model = Models.compile(TALL);
    CliTest.Run prior = CliTest.run(model, "sample", "--data", data.toString(), "--no-fit", "--quiet");
    assertEquals(0, prior.status(), prior.err());
    assertTrue(prior.err().contains("warning: the posterior of 'mu' rests on"), prior.err());
    assertTrue(prior.err().contains("warning: the importance weights of 'mu' have a heavy tail (Pareto k-hat inf"),
        prior.err());
    CliTest.Run strict = CliTest.run(model, "sample", "--data", data.toString(), "--no-fit", "--quiet", "--strict");
    assertEquals(4, strict.status(), strict.err());
    assertEquals("", strict.out());
    assertTrue(strict.err().contains("error: the posterior of 'mu' rests on"), strict.err());
    assertTrue(strict.err().contains("error: --strict: the estimates are unreliable (2 diagnostics above)"),
        strict.err());

    CliTest.Run fitted = CliTest.run(model, "sample", "--data", data.toString(), "--quiet", "--strict", "--json");
    assertEquals(0, fitted.status(), fitted.err());
    JsonObject mu = JsonParser.parseString(fitted.out()).getAsJsonObject().getAsJsonObject("variables")
        .getAsJsonObject("mu");
    double precision = 1 / 100.0 + 10_000;
    double exactMean = sum[0] / precision;
    double exactSd = Math.sqrt(1 / precision);
    assertEquals(exactMean, mu.get("mean").getAsDouble(), 0.1 * exactSd);
    double khat = mu.get("khat").getAsDouble();
    assertTrue(khat < 0.7, "k-hat of the fitted guide " + khat);
    assertTrue(mu.get("ess").getAsDouble() > 500, "ESS " + mu.get("ess"));
  }

  /**
   * Eight schools with the prior as proposal: theta's own weights are nearly even given the globals, but its
   * estimates rest on the globals' few particles, so its reported ESS is theirs (the smaller of the two), and its
   * k-hat is reported per school.
   */
  @Test
  void aPlateLatentsEssIsNoLargerThanItsGlobals() throws Exception {
    Model m = Model.of(CliTest.model, Models.data(Files.readString(CliTest.EIGHT_SCHOOLS_DATA)));
    Posterior p = m.sample(SampleOptions.of(300, 3));
    double globals = p.ess("mu");
    assertEquals(globals, p.ess("tau"), 1e-9, "mu and tau are one group");
    double[] theta = p.essArray("theta");
    double[] khat = p.khatArray("theta");
    assertEquals(8, theta.length);
    assertEquals(8, khat.length);
    for (int j = 0; j < 8; j++) {
      assertTrue(theta[j] <= globals + 1e-9, "theta[" + (j + 1) + "] ESS " + theta[j] + " > the globals' " + globals);
      assertTrue(Double.isFinite(khat[j]), "theta[" + (j + 1) + "] k-hat " + khat[j]);
    }
    assertTrue(Double.isFinite(p.khat("mu")));
    assertTrue(p.maxKhat() >= p.khat("mu"));
    String table = org.alan.runtime.io.SummaryWriter.table(p, "eight schools");
    assertTrue(table.lines().skip(1).findFirst().orElseThrow().endsWith("ess   khat"), table);
  }

  /** K below 25 has too few tail weights for a fit: k-hat is NaN, shown as "-" and written as null. */
  @Test
  void smallKHasNoKhat() {
    CliTest.Run r = CliTest.model("sample", "--data", CliTest.EIGHT_SCHOOLS_DATA.toString(), "-K", "10", "--no-fit",
        "--quiet", "--json");
    assertEquals(0, r.status(), r.err());
    JsonObject mu = JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonObject("variables")
        .getAsJsonObject("mu");
    assertTrue(mu.get("khat").isJsonNull(), r.out());
  }

  @Test
  void aJarWithoutASubcommandIsAUsageError() {
    CliTest.Run r = CliTest.model();
    assertEquals(2, r.status());
    assertEquals("", r.out());
    assertTrue(r.err().contains("Commands:"), r.err());
  }

  /**
   * The Cauchy observation of 1e155: its log density is about -716, not an impossible datum. The same for
   * Student-t. The evidence against a quadrature of the one-dimensional integral; the estimator's sd at K = 1000
   * with the fitted guide is about 0.01, the tolerance 0.05.
   */
  @Test
  void farObservationsOfHeavyTailedFamiliesHaveFiniteDensities() {
    for (String family : new String[] {"Cauchy(m, 1)", "StudentT(3, m, 1)"}) {
      Model m = Models.bind("""
          model Far {
            m ~ Normal(0, 1);
            plate obs { data y ~ %s; }
          }
          """.formatted(family), "{\"y\": [1e155, 0.5]}");
      Posterior p = m.sampleFitted(SampleOptions.of(1000, 1), org.alan.runtime.learn.FitOptions.defaults(1)
          .withK(1000), org.alan.runtime.engine.Progress.NONE).posterior();
      boolean cauchy = family.startsWith("Cauchy");
      double exact = logEvidence(cauchy);
      assertEquals(exact, p.logMarginalLikelihood(), 0.05, String.format(Locale.ROOT, "%s: exact %.4f", family,
          exact));
    }
  }

  /** log of the integral over m of N(m; 0, 1) f(1e155 - m) f(0.5 - m), f Cauchy or Student-t(3), by quadrature. */
  private static double logEvidence(boolean cauchy) {
    double far = cauchy ? -Math.log(Math.PI) - 2 * Math.log(1e155)
        : org.apache.commons.numbers.gamma.LogGamma.value(2) - org.apache.commons.numbers.gamma.LogGamma.value(1.5)
            - 0.5 * Math.log(3 * Math.PI) - 2 * (2 * Math.log(1e155) - Math.log(3));
    double sum = 0;
    double h = 1e-3;
    for (double x = -12; x <= 12; x += h) {
      double z = 0.5 - x;
      double near = cauchy ? 1 / (Math.PI * (1 + z * z))
          : Math.exp(org.apache.commons.numbers.gamma.LogGamma.value(2)
              - org.apache.commons.numbers.gamma.LogGamma.value(1.5) - 0.5 * Math.log(3 * Math.PI)
              - 2 * Math.log1p(z * z / 3));
      sum += Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * near * h;
    }
    return far + Math.log(sum);
  }
}
