package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.alan.runtime.engine.Backend;
import org.alan.runtime.engine.Gradient;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.engine.Progress;
import org.alan.runtime.engine.SampleOptions;
import org.alan.runtime.io.BoundData;
import org.alan.runtime.io.DataBinder;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;
import org.alan.runtime.model.FactorSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;
import org.junit.jupiter.api.Test;

/**
 * The generated gradients against central finite differences:
 * <ul>
 *   <li>per factor: {@code sum over entries of w * d(log factor)/d(input)} for random weights, with respect to
 *       every coordinate of every continuous particle and every parameter, for every distribution family (as the
 *       distribution of a value and of a proposal, differentiated in its value and in each argument), every function
 *       and operator of the language and the usual transforms of learned parameters ({@code exp}, {@code softplus});
 *   </li>
 *   <li>of the whole bound: VI's pathwise gradient (factor weights from the backward pass, chained through every
 *       reparameterised sampler) against the bound recomputed from the same seed at shifted parameters.</li>
 * </ul>
 */
class GradientTest {
  /** Every family as the distribution of observed values, its arguments functions of latents; every function. */
  static final String FAMILIES = """
      model Families {
        input v[3];
        a ~ Normal(0.3, 1.5);
        s ~ LogNormal(0, 0.5);
        u ~ Beta(2, 3);
        r ~ Gamma(3, 2);
        w[3] ~ Dirichlet(v);
        plate N {
          data y1 ~ Normal(a, s);
          data y2 ~ StudentT(2 + s, a, s);
          data y3 ~ Cauchy(a, s);
          data y4 ~ HalfNormal(s);
          data y5 ~ HalfCauchy(s);
          data y6 ~ Exponential(r);
          data y7 ~ Gamma(s, exp(a));
          data y8 ~ Beta(s, r);
          data y9 ~ LogNormal(a, s);
          data y11 ~ Bernoulli(u);
          data y12 ~ Bernoulli(logits = a);
          data y13 ~ Binomial(10, u);
          data y14 ~ Binomial(total_count = 10, logits = a);
          data y15 ~ Poisson(r);
          data y16 ~ Categorical(w);
          data y17 ~ Categorical(logits = a * v);
          data y18[3] ~ Dirichlet(r * w);
          data f1 ~ Normal(exp(a) + log(s) + log1p(s) + expm1(a) + sqrt(s) + abs(a), 1);
          data f2 ~ Normal(pow(s, 1.7) + pow(2, a) + sigmoid(a) + softplus(a), 1);
          data f3 ~ Normal(dot(w, v) + sum(w * a) + min(a, s) + max(a, s) + min(w * s) - max(w - a), 1);
          data f4 ~ Normal(-a ^ 2 / (1 + s) - (a - 2) * 3 + pow(s, a), 1);
        }
      }
      guide Families {
        a ~ Normal(learn(0.1), exp(learn(-0.2)));
        s ~ LogNormal(learn(0), softplus(learn(0.5)));
        u ~ Beta(exp(learn(1)), exp(learn(1.2)));
        r ~ Gamma(learn(3), learn(2));
        w ~ Dirichlet(exp(learn(1)));
      }
      """;

  static final String FAMILIES_DATA = """
      {"v": [0.5, 1.5, 2.5], "y1": [0.2, -1.1], "y2": [1.4, 0.3], "y3": [-0.7, 2.0], "y4": [0.6, 1.9],
       "y5": [0.3, 2.2], "y6": [0.8, 0.1], "y7": [1.5, 0.4], "y8": [0.35, 0.8], "y9": [0.9, 2.4],
       "y11": [1, 0], "y12": [0, 1], "y13": [3, 7], "y14": [2, 9], "y15": [0, 4], "y16": [2, 0], "y17": [1, 2],
       "y18": [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], "f1": [3.0, 1.0], "f2": [2.0, 4.0], "f3": [1.0, -0.5],
       "f4": [-2.0, 0.5]}
      """;

  /** The families with reparameterised samplers as latents (differentiated in their values) and as proposals. */
  static final String REPARAMETERISED = """
      model Reparameterised {
        h1 ~ HalfNormal(1.5);
        h2 ~ StudentT(4, 1, 2);
        h3 ~ Cauchy(-1, 0.5);
        h4 ~ HalfCauchy(2);
        h5 ~ Exponential(1.5);
        h6 ~ Uniform(-1, 3);
        h7 ~ LogNormal(0, 1);
        h8 ~ Normal(0, 2);
        plate N {
          data y ~ Normal(h1 + h2 + h3 + h4 + h5 + h6 * h7, 2);
          data c ~ LogNormal(h8, 1 + h1);
        }
      }
      guide Reparameterised {
        h1 ~ HalfNormal(exp(learn(0)));
        h2 ~ StudentT(5, learn(0.5), exp(learn(0)));
        h3 ~ Cauchy(learn(-0.5), exp(learn(-1)));
        h4 ~ HalfCauchy(softplus(learn(1)));
        h5 ~ Exponential(exp(learn(0.3)));
        h6 ~ Uniform(-1, 3);
        h7 ~ LogNormal(learn(0), exp(learn(-0.5)));
        h8 ~ Normal(learn(0.2), softplus(learn(0)));
      }
      """;

  static final String REPARAMETERISED_DATA = """
      {"y": [2.5, 0.4, 3.1, 1.7, -0.2], "c": [1.2, 0.7, 3.3, 0.9, 1.5]}
      """;

  /**
   * MovieLens's shape: vector latents whose location and scale are separate groups (the expanded square's cross
   * term is a dot product per entry, propagated inside its sum), held transposed in the gradient kernels; and a
   * global vector's dot product with a covariate with zeros (summed from the leaves, skipping the zeros).
   */
  static final String VECTOR_LATENTS = """
      model VectorLatents {
        mu[4] ~ Normal(0, 1);
        psi[4] ~ Normal(0, 0.5);
        b[4] ~ Normal(0, 1);
        plate users {
          z[4] ~ Normal(mu, exp(psi));
          plate films {
            input x[4];
            data obs ~ Bernoulli(logits = dot(z, x) + dot(b, x));
          }
        }
      }
      guide VectorLatents {
        mu ~ Normal(learn(0.1), exp(learn(-0.3)));
        psi ~ Normal(learn(-0.2), exp(learn(-0.5)));
        b ~ Normal(learn(0.3), exp(learn(-0.2)));
        plate users { z ~ Normal(learn(0.2), exp(learn(-0.4))); }
      }
      """;

  static final String VECTOR_LATENTS_DATA = """
      {"x": [[[1, 0, 1, 0], [0, 1, 0, 0.5]], [[0, 0, 1, 1], [1, 1, 0, 0]]], "obs": [[1, 0], [0, 1]]}
      """;

  @Test
  void factorGradientsMatchFiniteDifferencesForVectorLatentsInSeparateGroups() {
    checkFactors(VECTOR_LATENTS, VECTOR_LATENTS_DATA);
  }

  @Test
  void splitSoftplusFactorGradientsMatchFiniteDifferences() {
    // the data plate's Bernoulli factor is split (ElementSumsTest): its gradient goes through the parts' gradients
    CompiledModel model = Models.compile(ElementSumsTest.MODEL);
    ModelState st = Models.bind(model, SPLIT_DATA).sample(SampleOptions.of(3, 1)).state();
    assertTrue(java.util.stream.IntStream.range(0, model.spec().factors().length)
        .anyMatch(f -> model.newGradient(f, st, false) instanceof org.alan.runtime.model.SeparableSoftplusGradient),
        "a factor's gradient is the split one");
    for (boolean vector : new boolean[] {false, true}) {
      checkFactors(ElementSumsTest.MODEL, SPLIT_DATA, vector);
    }
  }

  /** Two groups of three trials; one covariate large enough for logits past the product form's limit. */
  static final String SPLIT_DATA = """
      {"x": [[[0.5, -1, 0.3], [1, 0, 0], [0.2, 0.7, -0.4]], [[0, 1, 1], [-0.6, 0.1, 2], [900, 0, 0]]],
       "v": [[0.1, -0.3, 0.8], [1.2, 0, -0.5]], "y": [[1, 0, 1], [0, 0, 1]], "w": [[0.3, -1.1, 0.4], [2, 0.1, -0.7]],
       "c": [[0, 2, 1], [3, 0, 1]]}
      """;

  @Test
  void factorGradientsMatchFiniteDifferencesForEveryFamilyAndFunction() {
    checkFactors(FAMILIES, FAMILIES_DATA);
  }

  @Test
  void factorGradientsMatchFiniteDifferencesInReparameterisedValues() {
    checkFactors(REPARAMETERISED, REPARAMETERISED_DATA);
  }

  @Test
  void pathwiseGradientOfTheBoundMatchesFiniteDifferences() {
    checkPathwise(REPARAMETERISED, REPARAMETERISED_DATA);
  }

  /** Rows grouped by an index into ragged runs (random intercepts), with a latent per row. */
  static final String GROUPED = """
      model Grouped {
        mu ~ Normal(0, 2);
        sigma ~ HalfNormal(1);
        plate counties { alpha ~ Normal(mu, 1); }
        plate houses {
          input county : counties;
          input x;
          z ~ Normal(alpha[county], 0.5);
          data y ~ Normal(z + 0.3 * x, sigma);
        }
      }
      guide Grouped {
        mu ~ Normal(learn(0.1), exp(learn(0)));
        sigma ~ HalfNormal(exp(learn(0)));
        plate counties { alpha ~ Normal(learn(0.2), exp(learn(-0.3))); }
        plate houses { z ~ Normal(learn(0), exp(learn(-0.5))); }
      }
      """;

  @Test
  void pathwiseGradientThroughGroupedRowsMatchesFiniteDifferences() {
    checkPathwise(GROUPED, "{\"county\": [2, 1, 2, 3, 2, 1], \"x\": [0, 1, 1, 0, 1, 0],"
        + " \"y\": [0.5, 1, 2, -1, 0.3, 0.8]}");
  }

  @Test
  void pathwiseGradientThroughGroupedRowsSummedFromStatisticsMatchesFiniteDifferences() {
    // no latent per row: the rows' plate only hands up its factor, whose weights come from the county's
    String source = GROUPED.replace("z ~ Normal(alpha[county], 0.5);", "").replace("Normal(z + 0.3 * x",
        "Normal(alpha[county] + 0.3 * x").replace("plate houses { z ~ Normal(learn(0), exp(learn(-0.5))); }", "");
    checkPathwise(source, "{\"county\": [2, 1, 2, 3, 2, 1], \"x\": [0, 1, 1, 0, 1, 0],"
        + " \"y\": [0.5, 1, 2, -1, 0.3, 0.8]}");
  }

  private static void checkPathwise(String source, String json) {
    CompiledModel model = Models.compile(source);
    assertNull(model.reparameterisationProblem());
    BoundData data = DataBinder.bind(model.spec(), Models.data(json));
    Backend backend = Backend.create(model, 2);
    SampleOptions options = SampleOptions.of(10, 7);
    double[][] params = ModelState.initialParams(model.spec(), model.spec().plateCounts(data.plateSize()));
    Gradient g = backend.gradient(data, params, options, Gradient.Kind.PATHWISE, Progress.NONE);
    double worst = 0;
    for (int p = 0; p < params.length; p++) {
      for (int i = 0; i < params[p].length; i++) {
        double fd = boundDifference(backend, data, params, options, p, i);
        double got = g.params()[p][i];
        System.out.printf(Locale.ROOT, "d bound / d %-10s generated %+.8f finite difference %+.8f%n",
            model.spec().params()[p].name(), got, fd);
        assertEquals(fd, got, 1e-5 * (1 + Math.abs(fd)), model.spec().params()[p].name());
        worst = Math.max(worst, Math.abs(fd - got) / (1 + Math.abs(fd)));
      }
    }
    System.out.printf(Locale.ROOT, "pathwise gradient: worst relative error %.2e%n", worst);
  }

  /** The model's own parameters: global, with an event shape and per plate element, under transforms. */
  static final String MODEL_PARAMS = """
      model Params {
        param m = 0.3;
        param log_s[2] = -0.2;
        z[2] ~ Normal(m, exp(log_s));
        plate obs {
          param b = 0.1;
          data y ~ Normal(sum(z) + b, softplus(m) + 0.5);
        }
      }
      guide Params { z ~ Normal(learn(0.2), exp(learn(-0.5))); }
      """;
  static final String MODEL_PARAMS_DATA = "{\"y\": [0.4, 1.3, -0.2, 0.9]}";

  @Test
  void factorGradientsMatchFiniteDifferencesInModelParameters() {
    checkFactors(MODEL_PARAMS, MODEL_PARAMS_DATA);
  }

  /**
   * The bound's gradient in the model's parameters, pathwise and with the particles fixed (the two agree: the
   * particles do not depend on them), against finite differences of the bound at the same seed.
   */
  @Test
  void gradientOfTheBoundInModelParametersMatchesFiniteDifferences() {
    CompiledModel model = Models.compile(MODEL_PARAMS);
    BoundData data = DataBinder.bind(model.spec(), Models.data(MODEL_PARAMS_DATA));
    Backend backend = Backend.create(model, 2);
    SampleOptions options = SampleOptions.of(10, 3);
    double[][] params = ModelState.initialParams(model.spec(), model.spec().plateCounts(data.plateSize()));
    Gradient pathwise = backend.gradient(data, params, options, Gradient.Kind.PATHWISE, Progress.NONE);
    Gradient fixed = backend.gradient(data, params, options, Gradient.Kind.FIXED_PARTICLES, Progress.NONE);
    int checked = 0;
    for (int p = 0; p < params.length; p++) {
      if (model.spec().params()[p].kind() != org.alan.stdlib.GuideParameter.MODEL) {
        continue;
      }
      for (int i = 0; i < params[p].length; i++) {
        double fd = boundDifference(backend, data, params, options, p, i);
        String name = model.spec().params()[p].name() + "[" + i + "]";
        System.out.printf(Locale.ROOT, "d bound / d %-10s pathwise %+.8f fixed %+.8f finite difference %+.8f%n",
            name, pathwise.params()[p][i], fixed.params()[p][i], fd);
        assertEquals(fd, pathwise.params()[p][i], 1e-5 * (1 + Math.abs(fd)), name);
        assertEquals(fd, fixed.params()[p][i], 1e-5 * (1 + Math.abs(fd)), name);
        checked++;
      }
    }
    assertEquals(1 + 2 + 4, checked, "m, log_s[2] and b per observation");
  }

  @Test
  void proposalsWithoutReparameterisedSamplersAreNamed() {
    CompiledModel model = Models.compile(FAMILIES);
    assertNull(model.gradientProblem());
    String problem = model.reparameterisationProblem();
    assertNotNull(problem);
    assertTrue(problem.contains("'u' has a Beta proposal"), problem);
  }

  /** The central difference of the bound in {@code params[p][i]}, every run from the same seed. */
  private static double boundDifference(Backend backend, BoundData data, double[][] params, SampleOptions options,
      int p, int i) {
    double h = 1e-5;
    double saved = params[p][i];
    params[p][i] = saved + h;
    double up = backend.run(data, params, 1, options, Progress.NONE).logMarginalLikelihood();
    params[p][i] = saved - h;
    double down = backend.run(data, params, 1, options, Progress.NONE).logMarginalLikelihood();
    params[p][i] = saved;
    return (up - down) / (2 * h);
  }

  // ------------------------------------------------------------------ the per-factor check

  private static final int K = 3;

  private static void checkFactors(String source, String json) {
    checkFactors(source, json, false);
  }

  /** @param vector with the Vector API kernels (the scalar ones otherwise) */
  private static void checkFactors(String source, String json, boolean vector) {
    CompiledModel model = Models.compile(source);
    ModelSpec spec = model.spec();
    BoundData data = DataBinder.bind(spec, Models.data(json));
    int[] counts = spec.plateCounts(data.plateSize());
    double[][] params = ModelState.initialParams(spec, counts);
    Rng rng = Rng.stream(11);
    for (double[] p : params) {
      for (int i = 0; i < p.length; i++) {
        p[i] += 0.2 * (rng.nextDouble() - 0.5); // away from symmetric points such as a zero location
      }
    }
    ModelState state = new ModelState(spec, K, data.plateSize(), data.values(), params, vector);
    for (int g = 0; g < spec.groups().length; g++) {
      for (int e = 0; e < counts[spec.groups()[g].plate()]; e++) {
        model.sampleGroup(g, state, e, rng);
      }
    }
    int checked = 0;
    double worst = 0;
    for (int f = 0; f < spec.factors().length; f++) {
      FactorSpec factor = spec.factors()[f];
      int entries = pow(K, factor.dims().length);
      for (int e = 0; e < counts[factor.plate()]; e++) {
        double[] w = new double[entries];
        for (int j = 0; j < entries; j++) {
          w[j] = rng.nextDouble();
        }
        double[][] gz = zerosLike(state.samples);
        double[][] gq = zerosLike(state.params);
        model.newGradient(f, state, false).accumulate(e, w, 0, gz, gq);
        // RWS's variant: the parameters' gradient alone, with no particle gradient arrays to write to
        double[][] gqFixed = zerosLike(state.params);
        if (factor.readsParams()) {
          model.newGradient(f, state, true).accumulate(e, w, 0, new double[state.samples.length][], gqFixed);
        }
        for (int v = 0; v < spec.variables().length; v++) {
          VariableSpec var = spec.variables()[v];
          if (!var.isLatent() || var.support().isDiscrete()) {
            continue;
          }
          for (int i = 0; i < state.samples[v].length; i++) {
            double fd = difference(model, state, f, e, w, state.samples[v], i);
            worst = Math.max(worst, compare(factor.name(), "particle " + var.name() + "[" + i + "]", gz[v][i], fd));
            checked++;
          }
        }
        for (int p = 0; p < params.length; p++) {
          for (int i = 0; i < params[p].length; i++) {
            double fd = difference(model, state, f, e, w, params[p], i);
            worst = Math.max(worst, compare(factor.name(), spec.params()[p].name() + "[" + i + "]", gq[p][i], fd));
            worst = Math.max(worst, compare(factor.name(), spec.params()[p].name() + "[" + i + "] (particles fixed)",
                gqFixed[p][i], fd));
            checked++;
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "%s: %d partial derivatives, worst error %.2e (relative to 1 + |derivative|)%n",
        spec.name(), checked, worst);
  }

  private static double compare(String factor, String input, double generated, double fd) {
    double error = Math.abs(generated - fd) / (1 + Math.abs(fd));
    assertTrue(error < 2e-6, () -> String.format(Locale.ROOT, "factor %s, d/d %s: generated %.10g, finite difference"
        + " %.10g", factor, input, generated, fd));
    return error;
  }

  /** The central difference of {@code sum w * log factor} in {@code array[i]} (fresh kernels: they cache). */
  private static double difference(CompiledModel model, ModelState state, int f, int e, double[] w, double[] array,
      int i) {
    double saved = array[i];
    double h = 1e-6 * Math.max(1, Math.abs(saved));
    array[i] = saved + h;
    double up = weightedFactor(model, state, f, e, w);
    array[i] = saved - h;
    double down = weightedFactor(model, state, f, e, w);
    array[i] = saved;
    return (up - down) / (2 * h);
  }

  private static double weightedFactor(CompiledModel model, ModelState state, int f, int e, double[] w) {
    FactorSpec factor = model.spec().factors()[f];
    int lead = model.spec().plan().leadOf(f);
    int block = pow(K, factor.dims().length - lead);
    double[] out = new double[w.length];
    FactorKernel kernel = model.newKernel(f, state);
    kernel.prepare(e);
    for (int l = 0; l < pow(K, lead); l++) {
      kernel.fill(l, 0, block, out, l * block);
    }
    double sum = 0;
    for (int j = 0; j < w.length; j++) {
      sum += w[j] * out[j];
    }
    return sum;
  }

  private static double[][] zerosLike(double[][] arrays) {
    double[][] out = new double[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = arrays[i] == null ? null : new double[arrays[i].length];
    }
    return out;
  }

  private static int pow(int k, int n) {
    int r = 1;
    for (int i = 0; i < n; i++) {
      r *= k;
    }
    return r;
  }
}
