package org.alan.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.JsonData;
import org.alan.runtime.learn.FitOptions;
import org.junit.jupiter.api.Test;

/**
 * The examples written as Stan programs are (lags, running sums, {@code target += log_mix}): each runs as {@code
 * sample} does by default on the data simulated for it, and its posterior covers the values that simulated them
 * (every mean within 4 posterior sd of the truth).
 */
class StanStyleExamplesTest {
  @Test
  void arRecoversItsCoefficients() {
    check("ar", Map.of("alpha", new double[] {0.6}, "beta", new double[] {0.5, -0.4}, "sigma", new double[] {0.8}));
  }

  @Test
  void dogsRecoversItsLearningRates() {
    check("dogs", Map.of("beta", new double[] {1.8, -0.35, -0.2}));
  }

  @Test
  void mixtureRecoversItsComponents() {
    check("mixture", Map.of("mu1", new double[] {-2.7}, "mu2", new double[] {1.5}, "sigma", new double[] {0.8, 1.2},
        "theta", new double[] {0.35}));
  }

  private static void check(String name, Map<String, double[]> truth) {
    Model m = Model.of(BenchmarkModelsTest.compile(name), JsonData.read(Path.of(name, "data.json")));
    int k = 1000;
    Posterior p = m.sampleFitted(SampleOptions.of(k, 1), FitOptions.defaults(1)
        .withK(FitOptions.automaticK(m.spec(), m.plateSizes(), k)), Progress.NONE).posterior();
    StringBuilder report = new StringBuilder(name + ":");
    for (Map.Entry<String, double[]> e : truth.entrySet()) {
      double[] mean = p.means(e.getKey());
      double[] sd = p.sds(e.getKey());
      for (int i = 0; i < mean.length; i++) {
        double z = Math.abs(mean[i] - e.getValue()[i]) / sd[i];
        report.append(String.format(Locale.ROOT, " %s[%d] %.3f (%.3f) truth %.3f;", e.getKey(), i + 1, mean[i], sd[i],
            e.getValue()[i]));
        assertTrue(z < 4, name + ": " + e.getKey() + "[" + (i + 1) + "] = " + mean[i] + " (sd " + sd[i] + ") is "
            + z + " sd from the truth " + e.getValue()[i]);
      }
    }
    System.out.println(report);
  }
}
