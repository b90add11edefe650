package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Predictive;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.learn.FitOptions;
import org.alan.runtime.model.CompiledModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The predictive log-likelihood against the exact posterior predictive of conjugate models: a Normal mean (spec
 * section 3.5's check: train y = (0, 1, 2), test y = 3 gives log N(3; 0.75, 1.25) = -3.0555), and a hierarchical
 * model whose test elements carry new latents, drawn from the model given each posterior draw. Tolerance: 4 Monte
 * Carlo standard errors as the result reports them (over the draws and the particles they resample) plus 0.01.
 */
class PredictTest {
  static final String MEAN = "model M { mu ~ Normal(0, 1); plate T { data y ~ Normal(mu, 1); } }";

  @Test
  void normalMeanMatchesTheExactPosteriorPredictive() {
    Model m = Models.bind(MEAN, "{\"y\": [0, 1, 2]}");
    Posterior posterior = m.sampleFitted(SampleOptions.of(100000, 3).withDraws(20000), FitOptions.defaults(3),
        Progress.NONE).posterior();
    Predictive.Result r = m.predict(Models.data("{\"y\": [3]}"), null, posterior, 3);
    double exact = Analytic.logNormal(3, 0.75, 1.25);
    System.out.printf(Locale.ROOT, "predictive: exact %.4f, alan %.4f (se %.4f)%n", exact, r.total(),
        r.standardError());
    assertEquals(-3.0555, exact, 1e-4);
    assertEquals("T", r.extended());
    assertEquals(1, r.elements());
    assertEquals(exact, r.total(), 4 * r.standardError() + 0.01);
  }

  /** Groups with a latent each: the test elements are new groups, so their latents come from the model. */
  @Test
  void newElementsWithLatentsAreDrawnFromTheModel() {
    String source = """
        model H {
          mu ~ Normal(0, 2);
          plate G { theta ~ Normal(mu, 1); data y ~ Normal(theta, 0.5); }
        }
        """;
    double[] y = {1.2, 0.4, 2.1, 1.5};
    StringBuilder json = new StringBuilder("{\"y\": [");
    for (int i = 0; i < y.length; i++) {
      json.append(i > 0 ? ", " : "").append(y[i]);
    }
    Model m = Models.bind(source, json.append("]}").toString());
    Posterior posterior = m.sampleFitted(SampleOptions.of(3000, 5).withDraws(20000), FitOptions.defaults(5),
        Progress.NONE).posterior();
    // y_i = mu + (theta_i - mu) + noise: y_i | mu ~ N(mu, 1.25); mu | y ~ N(m, v); a new y ~ N(m, v + 1.25)
    double precision = 1 / 4.0 + y.length / 1.25;
    double mean = (Analytic.sum(y) / 1.25) / precision;
    double exact = Analytic.logNormal(0.9, mean, 1 / precision + 1.25) + Analytic.logNormal(-0.3, mean,
        1 / precision + 1.25);
    // two new groups share mu, so their joint predictive is not the product of the marginals: compute it exactly
    double v = 1 / precision;
    double a = 1.25 + v;
    double c = v;
    double det = a * a - c * c;
    double d1 = 0.9 - mean;
    double d2 = -0.3 - mean;
    double joint = -Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * (a * d1 * d1 - 2 * c * d1 * d2 + a * d2 * d2)
        / det;
    Predictive.Result r = m.predict(Models.data("{\"y\": [0.9, -0.3]}"), "G", posterior, 5);
    System.out.printf(Locale.ROOT, "predictive with new latents: exact %.4f (product of marginals %.4f), alan %.4f"
        + " (se %.4f)%n", joint, exact, r.total(), r.standardError());
    assertEquals(joint, r.total(), 4 * r.standardError() + 0.01);
  }

  @Test
  void predictOnTheCommandLine(@TempDir Path dir) throws Exception {
    CompiledModel model = Models.compile(MEAN);
    Path train = dir.resolve("train.json");
    Path test = dir.resolve("test.json");
    Files.writeString(train, "{\"y\": [0, 1, 2]}");
    Files.writeString(test, "{\"y\": [3]}");
    CliTest.Run r = CliTest.run(model, "predict", "--data", train.toString(), "--test", test.toString(), "-K",
        "100000", "--draws", "20000", "--json");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.err().startsWith("fitted the automatic guide"), r.err());
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals(-3.0555, o.get("predictive_log_likelihood").getAsDouble(),
        4 * o.get("standard_error").getAsDouble() + 0.01);
    assertEquals("T", o.get("extended_plate").getAsString());
    assertEquals(o.get("predictive_log_likelihood").getAsDouble(),
        o.getAsJsonObject("by_variable").get("y").getAsDouble(), 1e-9);
    Files.writeString(test, "{\"y\": [3, \"x\"]}");
    CliTest.Run bad = CliTest.run(model, "predict", "--data", train.toString(), "--test", test.toString());
    assertEquals(1, bad.status());
    assertTrue(bad.err().startsWith("error: "), bad.err());
  }
}
