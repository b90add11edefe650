package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.SeparableSoftplusKernel;
import org.junit.jupiter.api.Test;

/**
 * A data plate's factors summed over runs of elements ({@code FactorKernel.addElements}, what the forward pass
 * asks for) equal the sum of their per-element values: the split Bernoulli kernel (a logit that is a group effect
 * plus covariate effects and a constant), factors left whole (a Normal whose location mixes both sides, a Poisson),
 * logits beyond the product form's limit, in the scalar and the vector kernels.
 */
class ElementSumsTest {
  static final String MODEL = """
      model H {
        phi[3] ~ Normal(0, 1);
        mu ~ Normal(0, 1);
        plate groups {
          alpha ~ Normal(mu, 1);
          plate trials {
            input x[3];
            input v;
            data y ~ Bernoulli(logits = alpha + dot(phi, x) - 0.5);
            data w ~ Normal(alpha * mu + v, 2);
            data c ~ Poisson(exp(0.3 * alpha));
          }
        }
      }
      guide H {
        group global {
          phi ~ Normal(0.2, 1.5);
          mu ~ Normal(-0.1, 1.1);
        }
        plate groups { alpha ~ Normal(0.3, 2); }
      }
      """;

  @Test
  void elementSumsEqualSumsOfElements() {
    CompiledModel compiled = Models.compile(MODEL);
    int groups = 3;
    int trials = 41;
    Model model = Models.bind(compiled, data(groups, trials));
    for (int k : new int[] {5, 13, 37}) {
      Posterior p = model.sample(SampleOptions.of(k, 5));
      for (boolean vector : new boolean[] {false, true}) {
        ModelState st = withVector(p.state(), vector);
        int split = 0;
        for (int f = 0; f < compiled.spec().factors().length; f++) {
          if (compiled.spec().factors()[f].plate() != 2) {
            continue;
          }
          FactorKernel kernel = compiled.newKernel(f, st);
          split += kernel instanceof SeparableSoftplusKernel ? 1 : 0;
          for (int[] run : new int[][] {{0, trials}, {trials + 3, trials + 35}, {2 * trials + 40, 3 * trials}}) {
            double[] expected = null;
            for (int e = run[0]; e < run[1]; e++) {
              double[] v = FactorValues.of(compiled.newKernel(f, st), st, f, e);
              if (expected == null) {
                expected = v;
              } else {
                for (int i = 0; i < v.length; i++) {
                  expected[i] += v[i];
                }
              }
            }
            double[] actual = FactorValues.summed(kernel, st, f, run[0], run[1]);
            for (int i = 0; i < actual.length; i++) {
              String where = "factor " + compiled.spec().factors()[f].name() + " K " + k + " vector " + vector
                  + " elements " + run[0] + ".." + run[1] + " entry " + i;
              assertTrue(Double.isFinite(expected[i]), where);
              assertEquals(expected[i], actual[i], 1e-12 * (run[1] - run[0]) * (1 + Math.abs(expected[i])), where);
            }
          }
        }
        assertEquals(1, split, "the Bernoulli factor is split (and only it)");
      }
    }
  }

  @Test
  void bernoulliLogitFactorIsSplit() {
    CompiledModel compiled = Models.compile(MODEL);
    Model model = Models.bind(compiled, data(3, 41));
    ModelState st = model.sample(SampleOptions.of(4, 1)).state();
    int y = -1;
    for (int f = 0; f < compiled.spec().factors().length; f++) {
      if (compiled.spec().factors()[f].name().equals("y")) {
        y = f;
      }
    }
    assertInstanceOf(SeparableSoftplusKernel.class, compiled.newKernel(y, st));
  }

  /** Covariates mostly of moderate size; one trial's so large that its logits leave the product form's range. */
  private static String data(int groups, int trials) {
    Random random = new Random(11);
    StringBuilder x = new StringBuilder("{\"x\": [");
    StringBuilder y = new StringBuilder("\"y\": [");
    StringBuilder w = new StringBuilder("\"w\": [");
    StringBuilder c = new StringBuilder("\"c\": [");
    StringBuilder v = new StringBuilder("\"v\": [");
    for (int g = 0; g < groups; g++) {
      for (StringBuilder b : new StringBuilder[] {x, y, w, c, v}) {
        b.append(g > 0 ? ", [" : "[");
      }
      for (int t = 0; t < trials; t++) {
        String sep = t > 0 ? ", " : "";
        double scale = g == 1 && t == 7 ? 400 : 1;
        x.append(sep).append('[');
        for (int d = 0; d < 3; d++) {
          x.append(d > 0 ? ", " : "").append(scale * random.nextGaussian());
        }
        x.append(']');
        y.append(sep).append(random.nextInt(2));
        w.append(sep).append(random.nextGaussian());
        c.append(sep).append(random.nextInt(4));
        v.append(sep).append(random.nextGaussian());
      }
      for (StringBuilder b : new StringBuilder[] {x, y, w, c, v}) {
        b.append(']');
      }
    }
    return x.append("], ").append(y).append("], ").append(w).append("], ").append(c).append("], ").append(v)
        .append("]}").toString();
  }

  /** The same particles and data in a state that picks the scalar or the vector kernels. */
  private static ModelState withVector(ModelState st, boolean vector) {
    int[] plateSize = st.plateSize;
    ModelState out = new ModelState(st.spec, st.K, plateSize, st.values, st.params, vector);
    for (int v = 0; v < st.samples.length; v++) {
      out.samples[v] = st.samples[v];
    }
    return out;
  }
}
