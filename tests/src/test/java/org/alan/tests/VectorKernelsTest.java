package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import org.alan.kernels.LogSumExp;
import org.alan.runtime.api.Model;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.junit.jupiter.api.Test;

/**
 * Every factor's Vector API kernel gives the scalar kernel's values (to rounding), at particle counts that are not
 * multiples of the vector width, so vector bodies, blocked products and scalar tails all run.
 */
class VectorKernelsTest {
  static final String MOVIELENS_LIKE = """
      model M {
        mu[7] ~ Normal(0, 1);
        psi[7] ~ Normal(0, 0.5);
        plate users {
          z[7] ~ Normal(mu, exp(psi));
          plate films {
            input x[7];
            data y ~ Bernoulli(logits = dot(z, x));
          }
        }
      }
      guide M {
        mu ~ Normal(0.1, 1.2);
        psi ~ Normal(0, 1);
        plate users { z ~ Normal(mu, 1.5); }
      }
      """;

  @Test
  void vectorKernelsMatchScalarKernels() throws Exception {
    assertTrue(LogSumExp.vectorised(), "tests run with --add-modules jdk.incubator.vector");
    CompiledModel compiled = Models.compile(MOVIELENS_LIKE);
    StringBuilder data = new StringBuilder("{\"x\": [");
    StringBuilder y = new StringBuilder("\"y\": [");
    java.util.Random random = new java.util.Random(3);
    for (int u = 0; u < 4; u++) {
      data.append(u > 0 ? "," : "").append('[');
      y.append(u > 0 ? "," : "").append('[');
      for (int f = 0; f < 3; f++) {
        data.append(f > 0 ? "," : "").append('[');
        for (int c = 0; c < 7; c++) {
          data.append(c > 0 ? "," : "").append(random.nextInt(2));
        }
        data.append(']');
        y.append(f > 0 ? "," : "").append(random.nextInt(2));
      }
      data.append(']');
      y.append(']');
    }
    String json = data.append("], ").append(y).append("]}").toString();
    assertVectorMatchesScalar(compiled, json);
  }

  @Test
  void parameterChecksAgreeInBothKernels() throws Exception {
    // the parameter checks' vector forms (compare and blend) against the scalar ones, with valid parameters
    CompiledModel compiled = Models.compile("""
        model C {
          a ~ Gamma(2, 1);
          p ~ Beta(2, 3);
          input alpha[3];
          w[3] ~ Dirichlet(alpha);
          plate obs {
            data y ~ Poisson(a);
            data b ~ Bernoulli(p);
            data c ~ Categorical(w);
          }
        }
        """);
    assertVectorMatchesScalar(compiled, "{\"alpha\": [1, 2, 3], \"y\": [0, 3, 1], \"b\": [1, 0, 1],"
        + " \"c\": [2, 0, 1]}");
  }

  /** log(1 + z^2) of Cauchy and Student-t densities, on both sides of where z^2 would overflow. */
  @Test
  void heavyTailedDensitiesStayFiniteInBothKernels() throws Exception {
    CompiledModel compiled = Models.compile("""
        model H {
          m ~ Normal(0, 1);
          s ~ HalfCauchy(1e100);
          plate obs {
            data y ~ Cauchy(m, 1);
            data t ~ StudentT(3, m, 1);
          }
        }
        """);
    assertVectorMatchesScalar(compiled, "{\"y\": [0.5, -3, 1e149, 1e155, -1e300], \"t\": [2, 1e151, -1e154,"
        + " 1e200, 0]}");
  }

  private static void assertVectorMatchesScalar(CompiledModel compiled, String json) throws Exception {
    Model model = Models.bind(compiled, json);
    for (int k : new int[] {5, 13, 37}) {
      Posterior p = model.sample(SampleOptions.of(k, 11));
      ModelState st = p.state();
      for (int f = 0; f < compiled.spec().factors().length; f++) {
        FactorKernel scalar = kernel(compiled, "Factor" + f, st);
        FactorKernel vector = kernel(compiled, "Factor" + f + "V", st);
        int plate = compiled.spec().factors()[f].plate();
        for (int e = 0; e < st.plateCount[plate]; e++) {
          double[] a = FactorValues.of(scalar, st, f, e);
          double[] b = FactorValues.of(vector, st, f, e);
          int size = a.length;
          for (int i = 0; i < size; i++) {
            assertTrue(Double.isFinite(a[i]), "factor " + f + " K " + k + " entry " + i + " = " + a[i]);
            assertEquals(a[i], b[i], 1e-9 * (1 + Math.abs(a[i])), "factor " + f + " K " + k + " entry " + i);
          }
        }
      }
    }
  }

  private static FactorKernel kernel(CompiledModel model, String name, ModelState st) throws Exception {
    Class<?> type = Class.forName(model.getClass().getName() + "$" + name, true, model.getClass().getClassLoader());
    Constructor<?> c = type.getDeclaredConstructor(ModelState.class);
    c.setAccessible(true);
    return (FactorKernel) c.newInstance(st);
  }
}
