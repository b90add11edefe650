package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.alan.runtime.api.Model;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorSpec;
import org.junit.jupiter.api.Test;

/**
 * Factor values straight from the particles, computed here by hand, against the generated kernels: the one place
 * the code generator's rewrites (hoisting, the expansion of squared differences into a matrix product, the mixture
 * over guide parents) are checked entry by entry.
 */
class KernelValuesTest {
  static final String SOURCE = """
      model Prefs {
        mu[6] ~ Normal(0, 1);
        psi[6] ~ Normal(0, 0.3);
        plate users {
          z[6] ~ Normal(mu, exp(psi));
          data y ~ Normal(sum(z), 2);
        }
      }
      guide Prefs {
        mu ~ Normal(0.2, 1.1);
        psi ~ Normal(0, 0.4);
        plate users { z ~ Normal(mu, 1.3); }
      }
      """;

  @Test
  void platedVectorFactorMatchesDirectComputation() {
    CompiledModel compiled = Models.compile(SOURCE);
    Model model = Models.bind(compiled, "{\"y\": [0.4, -1.1, 2.3]}");
    for (int k : new int[] {3, 11, 29}) {
      Posterior p = model.sample(SampleOptions.of(k, 4));
      ModelState st = p.state();
      double[] mu = p.particles("mu");
      double[] psi = p.particles("psi");
      double[] z = p.particles("z");
      int factor = factorOf(compiled, "z");
      FactorSpec spec = compiled.spec().factors()[factor];
      int[] dims = spec.dims();
      int gz = compiled.spec().variable("z").group();
      int gmu = compiled.spec().variable("mu").group();
      int gpsi = compiled.spec().variable("psi").group();
      for (int e = 0; e < 3; e++) {
        double[] values = FactorValues.of(compiled, st, factor, e);
        int[] idx = new int[dims.length];
        for (int flat = 0; flat < values.length; flat++) {
          int rem = flat;
          for (int i = dims.length - 1; i >= 0; i--) {
            idx[i] = rem % k;
            rem /= k;
          }
          int kz = idx[position(dims, gz)];
          int kmu = idx[position(dims, gmu)];
          int kpsi = idx[position(dims, gpsi)];
          double logP = 0;
          double logQMix = 0;
          double[] perMu = new double[k];
          for (int c = 0; c < 6; c++) {
            double zc = z[(e * 6 + c) * k + kz];
            logP += logNormal(zc, mu[c * k + kmu], Math.exp(psi[c * k + kpsi]));
          }
          // the guide's z reads mu: its density is the mixture over mu's particles
          for (int m = 0; m < k; m++) {
            for (int c = 0; c < 6; c++) {
              perMu[m] += logNormal(z[(e * 6 + c) * k + kz], mu[c * k + m], 1.3);
            }
          }
          double max = java.util.Arrays.stream(perMu).max().orElseThrow();
          double s = 0;
          for (double v : perMu) {
            s += Math.exp(v - max);
          }
          logQMix = max + Math.log(s / k);
          double expected = logP - logQMix - Math.log(k);
          assertEquals(expected, values[flat], 1e-9 * (1 + Math.abs(expected)), "K " + k + " element " + e);
        }
      }
    }
  }

  private static int factorOf(CompiledModel m, String name) {
    for (int f = 0; f < m.spec().factors().length; f++) {
      if (m.spec().factors()[f].name().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(name);
  }

  private static int position(int[] dims, int group) {
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] == group) {
        return i;
      }
    }
    throw new IllegalArgumentException("group " + group);
  }

  private static double logNormal(double x, double mean, double sd) {
    double z = (x - mean) / sd;
    return -0.5 * z * z - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);
  }
}
