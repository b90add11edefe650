package org.alan.runtime.model;

/**
 * A derived quantity: a model {@code let} whose value reads latents (Stan's transformed parameters), evaluated per
 * joint posterior draw by {@link CompiledModel#derive} and reported beside the latents.
 *
 * @param plate one value per element of this plate
 * @param shape the value's event shape (empty for a scalar)
 * @param groups the latent groups the value reads, whose particles it is a function of
 */
public record DerivedSpec(String name, int plate, int[] shape, int[] groups) {
  /** Scalar entries per plate element. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
