package org.alan.runtime.plan;

/**
 * The work of one element of a plate.
 *
 * @param ownGroups the groups living in this plate, in elimination order
 * @param factors the factors evaluated per element of this plate
 */
public record PlatePlan(int plate, int[] ownGroups, int[] factors, ChildSlot[] children, Step[] steps,
    FinalOutput[] finals) {
  /**
   * Whether the plate only hands up its factors summed over its elements: no latent variables of its own (so no
   * steps) and no child plates. The forward pass then asks each factor for its sum over a run of elements at once.
   */
  public boolean handsUpFactorsOnly() {
    if (steps.length > 0 || children.length > 0) {
      return false;
    }
    for (FinalOutput out : finals) {
      for (TensorRef ref : out.inputs()) {
        if (ref.source() != TensorRef.Source.FACTOR) {
          return false;
        }
      }
    }
    return true;
  }
}
