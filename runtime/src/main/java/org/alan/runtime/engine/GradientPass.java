package org.alan.runtime.engine;

import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorGradient;
import org.alan.runtime.model.GroupSpec;
import org.alan.runtime.model.ModelSpec;

/**
 * The gradient of the bound with respect to the parameters, after the backward pass: the derivative of the log
 * marginal likelihood estimate with respect to each log factor entry is that entry's posterior weight, so the
 * gradient is the weighted sum of the factors' derivatives (generated per factor) and, for VI, those derivatives
 * with respect to the particles chained through the guide's sampler (generated per group).
 *
 * <p>Each worker adds into its own gradient arrays (a global particle is read by every plate element), summed in
 * worker order over a static partition, so the result does not depend on timing.
 */
final class GradientPass {
  private final CompiledModel model;
  private final ModelSpec spec;
  private final ModelState state;
  private final Layouts layouts;
  private final Parallel parallel;

  private final Arena arena;

  GradientPass(CompiledModel model, ModelState state, Layouts layouts, Parallel parallel, Arena arena) {
    this.arena = arena;
    this.model = model;
    this.spec = model.spec();
    this.state = state;
    this.layouts = layouts;
    this.parallel = parallel;
  }

  /**
   * Whether a gradient of this kind reads factor f's entry weights: with the particles held fixed, a factor that
   * reads no parameter has only a particle gradient, which that kind does not use.
   */
  static boolean reads(ModelSpec spec, Gradient.Kind kind, int f) {
    return kind != Gradient.Kind.FIXED_PARTICLES || spec.factors()[f].readsParams();
  }

  /** {@code d bound / d params} given the factors' entry weights. */
  double[][] paramGradient(double[][] factorWeights, int[] weightsFromParent, Gradient.Kind kind) {
    int workers = parallel.threads();
    double[][][] gz = new double[workers][][];
    double[][][] gq = new double[workers][][];
    boolean fixed = kind == Gradient.Kind.FIXED_PARTICLES;
    for (int w = 0; w < workers; w++) {
      // the particles' gradients only matter to VI's chain rule through the sampler
      gz[w] = fixed ? new double[state.samples.length][] : zerosLike(state.samples, arena);
      gq[w] = zerosLike(state.params, null);
    }
    for (int f = 0; f < spec.factors().length; f++) {
      if (!reads(spec, kind, f)) {
        continue;
      }
      final int factor = f;
      int plate = spec.factors()[f].plate();
      double[] weights = scaledForTemperature(f, factorWeights[f]);
      int entries = layouts.factorSize[f];
      parallel.forStatic(state.plateCount[plate], (worker, from, to) -> {
        FactorGradient gradient = model.newGradient(factor, state, fixed);
        for (int e = from; e < to; e++) {
          int row = weightsFromParent[factor] < 0 ? e : state.ancestorElement(plate, e, weightsFromParent[factor]);
          gradient.accumulate(e, weights, row * entries, gz[worker], gq[worker]);
        }
      });
    }
    for (int w = 1; w < workers; w++) {
      if (!fixed) {
        addInto(gz[0], gz[w]);
      }
      addInto(gq[0], gq[w]);
    }
    if (kind == Gradient.Kind.PATHWISE) {
      GroupSpec[] groups = spec.groups();
      for (int g = groups.length - 1; g >= 0; g--) {
        final int group = g;
        // each element writes its own particles' and parameters' entries only
        parallel.forStatic(state.plateCount[groups[g].plate()], (worker, from, to) -> {
          for (int e = from; e < to; e++) {
            model.reparameterise(group, state, e, gz[0], gq[0]);
          }
        });
      }
    }
    if (!fixed) {
      arena.giveAll(gz);
    }
    return gq[0];
  }

  /** An observed factor's weights times the run's temperature (its kernel multiplies the log density by it). */
  private double[] scaledForTemperature(int f, double[] weights) {
    if (state.temperature == 1 || spec.factors()[f].group() >= 0) {
      return weights;
    }
    double[] scaled = weights.clone();
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] *= state.temperature;
    }
    return scaled;
  }

  /** Zeroed arrays shaped like {@code arrays}: from the arena (given back by the caller), or new. */
  private static double[][] zerosLike(double[][] arrays, Arena arena) {
    double[][] out = new double[arrays.length][];
    for (int i = 0; i < arrays.length; i++) {
      if (arrays[i] != null) {
        out[i] = arena != null ? arena.take(arrays[i].length, true) : new double[arrays[i].length];
      }
    }
    return out;
  }

  private static void addInto(double[][] dst, double[][] src) {
    for (int i = 0; i < dst.length; i++) {
      if (dst[i] != null) {
        for (int j = 0; j < dst[i].length; j++) {
          dst[i][j] += src[i][j];
        }
      }
    }
  }
}
