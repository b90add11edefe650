package org.alan.runtime.model;

/**
 * A factor's kernel that sums runs of elements its own faster way ({@link #addElements}) and leaves every other
 * request to the factor's generated kernel.
 */
abstract class RunSumKernel implements FactorKernel {
  /** The factor's generated kernel. */
  protected final FactorKernel whole;

  RunSumKernel(FactorKernel whole) {
    this.whole = whole;
  }

  @Override
  public final void prepare(int element) {
    whole.prepare(element);
  }

  @Override
  public final void fill(int lead, int from, int to, double[] out, int off) {
    whole.fill(lead, from, to, out, off);
  }

  @Override
  public final void add(int lead, int from, int to, double[] out, int off) {
    whole.add(lead, from, to, out, off);
  }
}
