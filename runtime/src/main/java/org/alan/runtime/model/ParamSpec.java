package org.alan.runtime.model;

import org.alan.stdlib.GuideParameter;

/** A learnable guide parameter: one value per element of {@code plate} and coordinate of {@code shape}. */
public record ParamSpec(String name, GuideParameter kind, double init, int variable, int plate, int[] shape) {
  public int size() {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }
}
