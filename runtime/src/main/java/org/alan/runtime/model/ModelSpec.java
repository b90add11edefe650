package org.alan.runtime.model;

import java.util.Arrays;
import org.alan.runtime.plan.ContractionPlan;

/**
 * A compiled model described as data. Groups are listed in the guide's sampling order.
 *
 * @param priorOrder latent and observed variables, each after those its model distribution reads (for drawing
 *     from the model)
 * @param automaticGuide whether the prior is used as the proposal (no guide in the source)
 */
public record ModelSpec(String name, String sourceName, PlateSpec[] plates, VariableSpec[] variables,
    GroupSpec[] groups, ParamSpec[] params, FactorSpec[] factors, ContractionPlan plan, int[] priorOrder,
    boolean automaticGuide) {

  public int variableIndex(String name) {
    for (int i = 0; i < variables.length; i++) {
      if (variables[i].name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  public VariableSpec variable(String name) {
    int i = variableIndex(name);
    if (i < 0) {
      throw new IllegalArgumentException("model " + this.name + " has no variable '" + name + "'; it has "
          + Arrays.stream(variables).map(VariableSpec::name).toList());
    }
    return variables[i];
  }

  /** The plates from the top level down to {@code plate}, inclusive. */
  public int[] plateChain(int plate) {
    int depth = 0;
    for (int p = plate; p >= 0; p = plates[p].parent()) {
      depth++;
    }
    int[] chain = new int[depth];
    for (int p = plate, i = depth - 1; p >= 0; p = plates[p].parent(), i--) {
      chain[i] = p;
    }
    return chain;
  }
}
