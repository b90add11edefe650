package org.alan.runtime.engine;

import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorKernel;

/** Every entry of one factor at one plate element, for diagnostics and tests that recompute the estimator. */
public final class FactorValues {
  private FactorValues() {}

  /** The factor's log values over its K dimensions (canonical order, row-major) at {@code element}. */
  public static double[] of(CompiledModel model, ModelState state, int factor, int element) {
    return of(model.newKernel(factor, state), state, factor, element);
  }

  /** The same, through a given kernel of the factor (to compare kernel variants). */
  public static double[] of(FactorKernel kernel, ModelState state, int factor, int element) {
    Layouts layouts = new Layouts(state.spec, state.K);
    int block = layouts.factorBlock[factor];
    double[] out = new double[layouts.factorSize[factor]];
    kernel.prepare(element);
    for (int lead = 0; lead < out.length / block; lead++) {
      for (int t0 = 0; t0 < block; t0 += layouts.tile) {
        kernel.fill(lead, t0, Math.min(block, t0 + layouts.tile), out, lead * block + t0);
      }
    }
    return out;
  }

  /** The factor's values summed over elements {@code [first, last)}, as the forward pass asks for them. */
  public static double[] summed(FactorKernel kernel, ModelState state, int factor, int first, int last) {
    Layouts layouts = new Layouts(state.spec, state.K);
    int block = layouts.factorBlock[factor];
    double[] out = new double[layouts.factorSize[factor]];
    for (int lead = 0; lead < out.length / block; lead++) {
      for (int t0 = 0; t0 < block; t0 += layouts.tile) {
        kernel.addElements(first, last, lead, t0, Math.min(block, t0 + layouts.tile), out, lead * block + t0);
      }
    }
    return out;
  }
}
