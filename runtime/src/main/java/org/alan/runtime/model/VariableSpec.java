package org.alan.runtime.model;

import org.alan.stdlib.SupportKind;

/**
 * A variable of the model.
 *
 * @param shape its event shape
 * @param group the latent group, -1 for data and inputs
 * @param support where values of a data variable must lie (null for inputs)
 * @param supportLow the lower bound of an interval support when it is a constant, else NaN
 * @param supportHigh the upper bound (interval), total count (bounded integer) or number of categories when it
 *     is a constant, else NaN
 * @param supportBoundInput an input variable whose value, at the same plate element, is the total count of a
 *     bounded-integer support; -1 when none
 * @param line the source line of the declaration, for error messages
 */
public record VariableSpec(String name, VariableKind kind, int plate, int[] shape, int group, SupportKind support,
    double supportLow, double supportHigh, int supportBoundInput, int line) {
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  public boolean isLatent() {
    return kind == VariableKind.LATENT;
  }
}
