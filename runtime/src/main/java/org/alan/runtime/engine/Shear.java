package org.alan.runtime.engine;

import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ShearSpec;
import org.alan.runtime.model.VariableSpec;

/** The values the model reads for a sheared latent (see {@link ShearSpec}), computed from particles. */
public final class Shear {
  private Shear() {}

  /**
   * The model values of a sheared latent at every particle, laid out as its particles ({@code [(element * size +
   * coordinate) * K + k]}), each parent read at the same particle index: exact when {@link ShearSpec#perParticle}.
   */
  public static double[] modelValues(ShearSpec s, ModelState state) {
    ModelSpec spec = state.spec;
    VariableSpec var = spec.variables()[s.variable()];
    int k = state.K;
    int size = var.size();
    int count = state.plateCount[var.plate()];
    double[] out = state.samples[s.variable()].clone();
    double[] shift = state.params[s.shift()];
    for (int i = 0; i < count * size; i++) {
      for (int kk = 0; kk < k; kk++) {
        out[i * k + kk] -= shift[i];
      }
    }
    for (int j = 0; j < s.parents().length; j++) {
      int p = s.parents()[j];
      boolean self = p == s.variable();
      VariableSpec parent = spec.variables()[p];
      double[] coefficient = state.params[s.params()[j]];
      double[] w = state.samples[p];
      for (int e = 0; e < count; e++) {
        int pe = parentElement(s, j, state, e);
        int from = (pe * parent.size() + s.coordinates()[j]) * k;
        for (int c = self ? s.coordinates()[j] + 1 : 0; c < size; c++) {
          double b = coefficient[e * size + c];
          if (b == 0) {
            continue;
          }
          int to = (e * size + c) * k;
          for (int kk = 0; kk < k; kk++) {
            double x = w[from + kk];
            out[to + kk] += b * (s.logs()[j] ? Math.log(x) : x);
          }
        }
      }
    }
    return out;
  }

  /** The element of parent {@code j}'s plate that holds element {@code e} of the sheared latent's. */
  public static int parentElement(ShearSpec s, int j, ModelState state, int e) {
    int plate = state.spec.variables()[s.variable()].plate();
    int parentPlate = state.spec.variables()[s.parents()[j]].plate();
    return parentPlate == plate ? e : state.ancestorElement(plate, e, parentPlate);
  }
}
