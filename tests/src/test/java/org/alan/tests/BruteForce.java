package org.alan.tests;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.engine.FactorValues;
import org.alan.runtime.engine.ModelState;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.FactorSpec;
import org.alan.runtime.model.ModelSpec;

/**
 * The estimator computed the slow way (spec Appendix A): enumerate every assignment of a particle index to every
 * latent group at every plate element, weight it by the product of all factors, and sum. Only for tiny models.
 */
final class BruteForce {
  final double logMarginalLikelihood;
  /** Posterior marginals per group, {@code [element * K + k]}, like {@code Posterior.marginal}. */
  final double[][] marginals;
  /** The joint posterior probability of every assignment, in enumeration order (slot 0 varies slowest). */
  final double[] joint;
  final List<int[]> slots;

  private BruteForce(double logMl, double[][] marginals, double[] joint, List<int[]> slots) {
    this.logMarginalLikelihood = logMl;
    this.marginals = marginals;
    this.joint = joint;
    this.slots = slots;
  }

  static BruteForce enumerate(CompiledModel model, ModelState st) {
    ModelSpec spec = st.spec;
    int k = st.K;
    int groups = spec.groups().length;
    List<int[]> slots = new ArrayList<>();
    int[][] slotOf = new int[groups][];
    for (int g = 0; g < groups; g++) {
      int count = st.plateCount[spec.groups()[g].plate()];
      slotOf[g] = new int[count];
      for (int e = 0; e < count; e++) {
        slotOf[g][e] = slots.size();
        slots.add(new int[] {g, e});
      }
    }
    FactorSpec[] factors = spec.factors();
    double[][][] tables = new double[factors.length][][];
    for (int f = 0; f < factors.length; f++) {
      int count = st.plateCount[factors[f].plate()];
      tables[f] = new double[count][];
      for (int e = 0; e < count; e++) {
        tables[f][e] = FactorValues.of(model, st, f, e);
      }
    }
    int n = slots.size();
    long combos = (long) Math.pow(k, n);
    if (combos > 5_000_000) {
      throw new IllegalArgumentException("too many assignments to enumerate: " + combos);
    }
    double[] logw = new double[(int) combos];
    int[] assign = new int[n];
    for (int c = 0; c < combos; c++) {
      int rem = c;
      for (int i = n - 1; i >= 0; i--) {
        assign[i] = rem % k;
        rem /= k;
      }
      double total = 0;
      for (int f = 0; f < factors.length; f++) {
        int plate = factors[f].plate();
        int[] dims = factors[f].dims();
        for (int e = 0; e < tables[f].length; e++) {
          int flat = 0;
          for (int g : dims) {
            int ge = st.ancestorElement(plate, e, spec.groups()[g].plate());
            flat = flat * k + assign[slotOf[g][ge]];
          }
          total += tables[f][e][flat];
        }
      }
      logw[c] = total;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logw) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : logw) {
      sum += Math.exp(v - max);
    }
    double logMl = max + Math.log(sum);
    double[] joint = new double[(int) combos];
    double[][] marginals = new double[groups][];
    for (int g = 0; g < groups; g++) {
      marginals[g] = new double[slotOf[g].length * k];
    }
    for (int c = 0; c < combos; c++) {
      joint[c] = Math.exp(logw[c] - logMl);
      int rem = c;
      for (int i = n - 1; i >= 0; i--) {
        int kk = rem % k;
        rem /= k;
        int[] slot = slots.get(i);
        marginals[slot[0]][slot[1] * k + kk] += joint[c];
      }
    }
    return new BruteForce(logMl, marginals, joint, slots);
  }
}
