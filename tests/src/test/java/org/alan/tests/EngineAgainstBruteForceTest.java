package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alan.runtime.api.Model;
import org.alan.runtime.engine.Draws;
import org.alan.runtime.engine.ParentSampler;
import org.alan.runtime.engine.Posterior;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.GroupSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The planned contraction (forward), its backward pass (marginals) and ancestral sampling (draws) against
 * exhaustive enumeration of all K^n particle assignments, on tiny models that exercise every planner case:
 * nested plates, several groups in one plate, grouped guides, mixtures over guide parents, discrete latents and
 * vector-valued latents.
 */
class EngineAgainstBruteForceTest {
  static final String EIGHT_SCHOOLS = """
      model EightSchools {
        mu ~ Normal(0, 5);
        tau ~ HalfNormal(5);
        plate schools {
          input sigma;
          theta ~ Normal(mu, tau);
          data y ~ Normal(theta, sigma);
        }
      }
      """;
  static final String NESTED = """
      model Nested {
        a ~ Normal(0, 1);
        plate outer {
          b ~ Normal(a, 1);
          c ~ Normal(b, 1);
          plate inner {
            d ~ Normal(c + a, 1);
            data y ~ Normal(d, 1);
          }
        }
      }
      guide Nested {
        a ~ Normal(0.5, 2);
        plate outer {
          group bc { b ~ Normal(a, 1.5); c ~ Normal(b, 1); }
          plate inner { d ~ Normal(c, 2); }
        }
      }
      """;
  static final String MIXTURE = """
      model Mixture {
        w ~ Beta(2, 2);
        plate obs {
          z ~ Bernoulli(w);
          data y ~ Normal(z * 3 - 1.5, 1);
        }
      }
      """;
  static final String VECTOR = """
      model Vector {
        m[3] ~ Normal(0, 1);
        s ~ Gamma(2, 2);
        plate rows {
          input x[3];
          data y ~ Normal(dot(m, x), 1 / s);
        }
      }
      """;

  static Object[][] cases() {
    return new Object[][] {
        {"eight schools", EIGHT_SCHOOLS, "{\"y\": [28, 8, -3], \"sigma\": [15, 10, 16]}", 3},
        {"nested plates, grouped guide", NESTED, "{\"y\": [[0.5, -0.3], [1.2, 0.1]]}", 2},
        {"discrete latents", MIXTURE, "{\"y\": [1.2, -1.9, 2.2]}", 3},
        {"vector latent", VECTOR, "{\"x\": [[1, 0, 2], [0.5, -1, 0]], \"y\": [0.7, -0.4]}", 4},
    };
  }

  static java.util.stream.Stream<Arguments> models() {
    return java.util.Arrays.stream(cases()).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void forwardAndBackwardMatchEnumeration(String name, String source, String data, int k) {
    CompiledModel compiled = Models.compile(source);
    Model model = Models.bind(compiled, data);
    for (ParentSampler sampler : ParentSampler.values()) {
      for (long seed = 1; seed <= 3; seed++) {
        Posterior p = model.sample(SampleOptions.of(k, seed).withSampler(sampler).withThreads(2));
        BruteForce exact = BruteForce.enumerate(compiled, p.state());
        assertEquals(exact.logMarginalLikelihood, p.logMarginalLikelihood(),
            1e-9 * Math.max(1, Math.abs(exact.logMarginalLikelihood)), name + " log P-hat, seed " + seed);
        GroupSpec[] groups = compiled.spec().groups();
        for (int g = 0; g < groups.length; g++) {
          double[] engine = p.marginal(groups[g].name());
          for (int i = 0; i < engine.length; i++) {
            assertEquals(exact.marginals[g][i], engine[i], 1e-9, name + " marginal of " + groups[g].name() + "[" + i + "]");
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void drawsFollowTheExactJointPosterior(String name, String source, String data, int k) {
    CompiledModel compiled = Models.compile(source);
    Model model = Models.bind(compiled, data);
    int n = 20_000;
    Posterior p = model.sample(SampleOptions.of(k, 7).withDraws(n).withThreads(2));
    BruteForce exact = BruteForce.enumerate(compiled, p.state());
    Draws draws = p.draws();
    // a draw picks one particle per (group, element); compare the distribution of the values it picks (several
    // particles of a discrete latent can share a value, so values, not indices, are what is observable)
    GroupSpec[] groups = compiled.spec().groups();
    java.util.Map<java.util.List<Double>, Double> exactByValue = new java.util.HashMap<>();
    for (int c = 0; c < exact.joint.length; c++) {
      int rem = c;
      Double[] tuple = new Double[exact.slots.size()];
      for (int i = exact.slots.size() - 1; i >= 0; i--) {
        int kk = rem % k;
        rem /= k;
        int[] slot = exact.slots.get(i);
        int v = groups[slot[0]].members()[0];
        int size = compiled.spec().variables()[v].size();
        // the particles as stored (the automatic guide may read a latent through others': the draws' indices are
        // what this checks)
        tuple[i] = p.state().samples[v][(slot[1] * size) * k + kk];
      }
      exactByValue.merge(java.util.List.of(tuple), exact.joint[c], Double::sum);
    }
    java.util.Map<java.util.List<Double>, Integer> counts = new java.util.HashMap<>();
    for (int d = 0; d < n; d++) {
      Double[] tuple = new Double[exact.slots.size()];
      for (int i = 0; i < exact.slots.size(); i++) {
        int[] slot = exact.slots.get(i);
        int first = groups[slot[0]].members()[0];
        int size = compiled.spec().variables()[first].size();
        tuple[i] = draws.particles(p.state(), first, d)[slot[1] * size];
      }
      java.util.List<Double> key = java.util.List.of(tuple);
      assertTrue(exactByValue.containsKey(key), name + ": a draw picked values no assignment has");
      counts.merge(key, 1, Integer::sum);
    }
    // each value tuple's count within 6 Poisson standard deviations of its expectation (+3 for tiny ones)
    for (java.util.Map.Entry<java.util.List<Double>, Double> e : exactByValue.entrySet()) {
      double expected = n * e.getValue();
      int observed = counts.getOrDefault(e.getKey(), 0);
      assertEquals(expected, observed, 6 * Math.sqrt(expected) + 3, name + " draws of " + e.getKey());
    }
  }
}
