package org.alan.runtime.model;

/**
 * Generated code that evaluates one log factor for one thread. The factor's K dimensions are laid out in the
 * plan's canonical order, row-major; {@link #fill} writes the block of entries whose first {@code nLead}
 * dimensions take the given values.
 */
public interface FactorKernel {
  /** Prepares for an element of the factor's plate (flat index over the whole plate nest). */
  void prepare(int element);

  /**
   * Writes the entries whose first {@code nLead} dimensions have the flattened index {@code lead} to
   * {@code out[off, off + K^(dims - nLead))}, in row-major order of the remaining dimensions.
   */
  void fill(int nLead, int lead, double[] out, int off);
}
