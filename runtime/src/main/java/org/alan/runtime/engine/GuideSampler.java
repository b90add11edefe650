package org.alan.runtime.engine;

import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.GroupSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableSpec;
import org.alan.runtime.sampling.Rng;

/**
 * Guide sampling (spec 2.2): K particles per latent group in the guide's order, each group's parents' particles
 * resampled per child (a random permutation per parent, or independent categorical draws), every element in
 * parallel; a non-finite particle is reported by name before any factor is computed.
 */
final class GuideSampler {
  private static final long PURPOSE_PARENTS = 1;
  private static final long PURPOSE_GUIDE = 2;

  private final CompiledModel model;
  private final ModelSpec spec;
  private final Parallel parallel;

  GuideSampler(CompiledModel model, Parallel parallel) {
    this.model = model;
    this.spec = model.spec();
    this.parallel = parallel;
  }

  void sample(ModelState state, SampleOptions options, Progress progress) {
    int k = state.K;
    long seed = options.seed();
    GroupSpec[] groups = spec.groups();
    for (int g = 0; g < groups.length; g++) {
      for (int h : groups[g].guideParents()) {
        int n = state.plateCount[groups[h].plate()];
        int[] index = new int[n * k];
        for (int e = 0; e < n; e++) {
          Rng rng = Rng.stream(seed, PURPOSE_PARENTS, g, h, e);
          if (options.sampler() == ParentSampler.PERMUTATION) {
            rng.permutation(index, e * k, k);
          } else {
            for (int i = 0; i < k; i++) {
              index[e * k + i] = rng.nextInt(k);
            }
          }
        }
        state.parentIndex[g][h] = index;
      }
      final int group = g;
      int n = state.plateCount[groups[g].plate()];
      parallel.forRange(n, (worker, from, to) -> {
        for (int e = from; e < to; e++) {
          model.sampleGroup(group, state, e, Rng.stream(seed, PURPOSE_GUIDE, group, e));
        }
      });
      for (int v : groups[g].members()) {
        verifyFiniteSamples(state, v);
      }
      progress.report("sampling", g + 1, groups.length);
    }
  }

  private void verifyFiniteSamples(ModelState state, int v) {
    double[] z = state.samples[v];
    VariableSpec var = spec.variables()[v];
    for (int i = 0; i < z.length; i++) {
      if (!Double.isFinite(z[i])) {
        int element = i / (var.size() * state.K);
        throw new InferenceException("the guide drew " + InferenceException.describe(z[i]) + " for '" + var.name()
            + "'" + Contraction.where(spec, var) + Posterior.elementLabel(spec, state, var.plate(), element) + ": "
            + InferenceException.whyNotFinite(z[i], "its proposal"));
      }
    }
  }
}
