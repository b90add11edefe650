package org.alan.runtime.model;

/**
 * Generated code that evaluates one log factor for one thread. The factor's K dimensions are laid out in the
 * plan's canonical order, row-major. Its first {@code leadDims} dimensions (fixed by the plan: the dimensions the
 * step consuming the factor sums over) select a block; {@link #fill} writes a range of one block.
 */
public interface FactorKernel {
  /** Prepares for an element of the factor's plate (flat index over the whole plate nest). */
  void prepare(int element);

  /**
   * Writes entries {@code [from, to)} of the block whose lead dimensions have the flattened index {@code lead}
   * to {@code out[off, off + to - from)}. Blocks are row-major over the remaining dimensions; {@code from} and
   * {@code to} are multiples of K unless the block is a single entry.
   */
  void fill(int lead, int from, int to, double[] out, int off);

  /**
   * Adds the entries {@link #fill} would write to {@code out[off, off + to - from)}: a sum of factors over a
   * plate's elements needs no block of its own per factor.
   */
  void add(int lead, int from, int to, double[] out, int off);

  /**
   * Adds the entries {@link #fill} would write, summed over elements {@code [first, last)} of the factor's plate,
   * to {@code out[off, off + to - from)}: a plate with no latent variables of its own hands its factors up summed
   * over its elements. Leaves the kernel prepared for no particular element. Kernels that sum elements faster
   * than one at a time override this (see {@link SeparableSoftplusKernel}).
   */
  default void addElements(int first, int last, int lead, int from, int to, double[] out, int off) {
    for (int e = first; e < last; e++) {
      prepare(e);
      add(lead, from, to, out, off);
    }
  }
}
