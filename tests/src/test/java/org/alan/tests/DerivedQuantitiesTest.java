package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Draws;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.SummaryWriter;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;

/**
 * Derived quantities (lets that read latents, Stan's transformed parameters) and replicated data: each draw's
 * derived value is the let evaluated at that draw's latents, their summaries are the draws' moments, and
 * {@code y_rep} is distributed as the model says given the draw.
 */
class DerivedQuantitiesTest {
  static final String EIGHT_SCHOOLS = """
      model NonCentred {
        mu ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        let two_mu = 2 * mu + 1;
        let unused_constant = 3;
        plate schools {
          input sigma;
          theta_trans ~ Normal(0, 1);
          let scale = tau;
          let theta = mu + scale * theta_trans;
          let precision = 1 / square(sigma);
          data y ~ Normal(theta, sigma);
        }
      }
      guide NonCentred {
        group global {
          mu ~ Normal(0, 5);
          tau ~ HalfNormal(5);
        }
        plate schools { theta_trans ~ Normal(0, 1); }
      }
      """;
  static final String DATA = "{\"sigma\": [15, 10, 16, 11, 9, 11, 10, 18], \"y\": [28, 8, -3, 7, -1, 1, 18, 12]}";
  static final double[] SIGMA = {15, 10, 16, 11, 9, 11, 10, 18};

  @Test
  void onlyLetsThatReadLatentsAreDerived() {
    CompiledModel model = Models.compile(EIGHT_SCHOOLS);
    List<String> names = java.util.Arrays.stream(model.spec().derived()).map(d -> d.name()).toList();
    assertEquals(List.of("two_mu", "scale", "theta"), names);
  }

  @Test
  void eachDrawHoldsTheLetAtThatDrawsLatents() {
    Posterior p = Models.bind(EIGHT_SCHOOLS, DATA).sample(SampleOptions.of(500, 3).withDraws(200));
    Draws draws = p.draws();
    assertEquals(1000, draws.count(), "a model with derived quantities makes at least Model.DERIVED_DRAWS draws");
    assertEquals(1500, Models.bind(EIGHT_SCHOOLS, DATA).sample(SampleOptions.of(1500, 3)).draws().count(),
        "and at least K, so that the draws add no more error than the particles");
    double[] mu = draws.values("mu");
    double[] tau = draws.values("tau");
    double[] trans = draws.values("theta_trans");
    double[] theta = draws.values("theta");
    double[] twoMu = draws.values("two_mu");
    assertEquals(Draws.Kind.DERIVED, draws.kind("theta"));
    assertEquals(8, draws.entries("theta"));
    for (int d = 0; d < draws.count(); d++) {
      assertEquals(2 * mu[d] + 1, twoMu[d], 1e-12);
      for (int j = 0; j < 8; j++) {
        assertEquals(mu[d] + tau[d] * trans[d * 8 + j], theta[d * 8 + j], 1e-12, "draw " + d + " school " + j);
      }
    }
  }

  @Test
  void summariesAreTheDrawsMoments() {
    Posterior p = Models.bind(EIGHT_SCHOOLS, DATA).sample(SampleOptions.of(2000, 5).withDraws(4000));
    // two_mu is linear in mu, whose exact moments the particles' marginals give
    double ess = Math.min(4000, p.ess("mu"));
    double mcse = 2 * p.sd("mu") / Math.sqrt(ess);
    String detail = String.format(Locale.ROOT, "E[2 mu + 1] from draws %.4f, exact %.4f, mcse %.4f",
        p.mean("two_mu"), 2 * p.mean("mu") + 1, mcse);
    assertEquals(2 * p.mean("mu") + 1, p.mean("two_mu"), 5 * mcse, detail);
    assertEquals(2 * p.sd("mu"), p.sd("two_mu"), 5 * 2 * p.sd("mu") / Math.sqrt(2 * ess), "sd");
    double[] q = p.quantiles("two_mu", Posterior.SUMMARY_QUANTILES)[1];
    assertEquals(2 * p.quantiles("mu", 0.5)[0] + 1, q[0], 5 * mcse * 1.3, "median");
    // the ess of a derived entry is the smallest of the groups it reads
    double[] thetaEss = p.essArray("theta");
    double[] transEss = p.essArray("theta_trans");
    for (int j = 0; j < 8; j++) {
      assertEquals(Math.min(p.ess("mu"), transEss[j]), thetaEss[j], 1e-9);
    }
    assertEquals(List.of(8), java.util.Arrays.stream(p.shape("theta")).boxed().toList());
    String json = SummaryWriter.json(p);
    assertTrue(json.contains("\"derived\": [\n    \"two_mu\",\n    \"scale\",\n    \"theta\"\n  ]"), json);
    assertTrue(json.contains("\"theta\": {"), json);
    String table = SummaryWriter.table(p, "header");
    assertTrue(table.contains("theta[8]"), table);
    assertFalse(table.contains("precision"), table);
  }

  @Test
  void replicatedDataIsDrawnFromTheModelGivenEachDraw() {
    Posterior p = Models.bind(EIGHT_SCHOOLS, DATA)
        .sample(SampleOptions.of(500, 11).withDraws(2000).withReplicates(true));
    Draws draws = p.draws();
    assertEquals(Draws.Kind.REPLICATED, draws.kind("y_rep"));
    double[] theta = draws.values("theta");
    double[] rep = draws.values("y_rep");
    int n = draws.count() * 8;
    double sum = 0;
    double sumSq = 0;
    for (int d = 0; d < draws.count(); d++) {
      for (int j = 0; j < 8; j++) {
        double z = (rep[d * 8 + j] - theta[d * 8 + j]) / SIGMA[j];
        sum += z;
        sumSq += z * z;
      }
    }
    double mean = sum / n;
    double var = sumSq / n - mean * mean;
    // standardised residuals of y_rep given the draw are N(0, 1): mean sd 1/sqrt(n), variance sd sqrt(2/n)
    assertEquals(0, mean, 5 / Math.sqrt(n), "mean of (y_rep - theta) / sigma");
    assertEquals(1, var, 5 * Math.sqrt(2.0 / n), "variance of (y_rep - theta) / sigma");
    assertFalse(Models.bind(EIGHT_SCHOOLS, DATA).sample(SampleOptions.of(100, 1)).draws().has("y_rep"),
        "replicated data only on request");
  }

  @Test
  void aReplicaNamedLikeAVariableTakesAnotherName() {
    CompiledModel model = Models.compile("""
        model M {
          y_rep ~ Normal(0, 1);
          data y ~ Normal(y_rep, 1);
        }
        """);
    Posterior p = Models.bind(model, "{\"y\": 0.5}").sample(SampleOptions.of(100, 1).withDraws(10)
        .withReplicates(true));
    assertTrue(p.draws().has("y_rep_"), p.draws().names().toString());
  }

  /** Rows grouped by an index: a per-row derived value follows the rows' order in the data. */
  @Test
  void derivedValuesOfGroupedRowsAreInTheDatasOrder() {
    Model model = Models.bind("""
        model M {
          beta ~ Normal(0, 1);
          plate counties { alpha ~ Normal(0, 1); }
          plate houses {
            input county : counties;
            input x;
            let fitted = alpha[county] + beta * x;
            data y ~ Normal(fitted, 1);
          }
        }
        """, "{\"county\": [2, 1, 3, 1, 2, 3, 3], \"x\": [0.1, -1, 2, 0.5, 1, -0.3, 0.7],"
        + " \"y\": [0.3, -0.5, 1, 0.2, 0.8, 0, 0.4]}");
    int[] county = {2, 1, 3, 1, 2, 3, 3};
    double[] x = {0.1, -1, 2, 0.5, 1, -0.3, 0.7};
    Draws draws = model.sample(SampleOptions.of(200, 2)).draws();
    double[] alpha = draws.values("alpha");
    double[] beta = draws.values("beta");
    double[] fitted = draws.values("fitted");
    for (int d = 0; d < draws.count(); d++) {
      for (int r = 0; r < 7; r++) {
        assertEquals(alpha[d * 3 + county[r] - 1] + beta[d] * x[r], fitted[d * 7 + r], 1e-12, "row " + r);
      }
    }
  }

  @Test
  void derivedSummariesNeedDraws() {
    CompiledModel compiled = Models.compile(EIGHT_SCHOOLS);
    Model bound = Models.bind(compiled, DATA);
    Posterior p = org.alan.runtime.engine.Backend.create(compiled, 1)
        .run(org.alan.runtime.io.DataBinder.bind(compiled.spec(), Models.data(DATA)), null, 1,
            SampleOptions.of(100, 1), org.alan.runtime.engine.Progress.NONE);
    assertTrue(p.derivedNames().isEmpty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.means("theta"));
    assertTrue(e.getMessage().contains("derived quantity"), e.getMessage());
    assertEquals(3, bound.sample(100, 1).derivedNames().size());
  }
}
