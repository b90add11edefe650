package org.alan.runtime.plan;

/**
 * The whole plan.
 *
 * @param plates one plan per plate, indexed by plate id (0 is the top level)
 * @param bottomUp plate ids with every plate after all of its children (the forward pass order)
 * @param factorDims each factor's dimensions, in canonical order
 */
public record ContractionPlan(PlatePlan[] plates, int[] bottomUp, int[][] factorDims) {
  /**
   * How many leading dimensions of a factor the step consuming it sums over: the kernel fills one block per
   * assignment of them. 0 when a final output takes the factor whole.
   */
  public int leadOf(int factor) {
    for (PlatePlan p : plates) {
      for (Step s : p.steps()) {
        for (TensorRef ref : s.inputs()) {
          if (ref.source() == TensorRef.Source.FACTOR && ref.index() == factor) {
            int[] dims = factorDims[factor];
            int lead = 0;
            while (lead < dims.length && contains(s.sum(), dims[lead])) {
              lead++;
            }
            return lead;
          }
        }
      }
    }
    return 0;
  }

  private static boolean contains(int[] a, int v) {
    for (int x : a) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
