package org.alan.runtime.model;

import java.util.Arrays;
import org.alan.runtime.plan.ContractionPlan;

/**
 * A compiled model described as data. Groups are listed in the guide's sampling order.
 *
 * @param priorOrder latent and observed variables, each after those its model distribution reads (for drawing
 *     from the model)
 * @param qem the latents whose proposals QEM fits, in variable order
 * @param automaticGuide whether the guide is the automatic one (no guide in the source): its parameters start
 *     from the prior and are fitted before sampling
 * @param inputConstraints the inputs used as distribution parameters, with the values they must take
 */
public record ModelSpec(String name, String sourceName, PlateSpec[] plates, VariableSpec[] variables,
    GroupSpec[] groups, ParamSpec[] params, QemSpec[] qem, FactorSpec[] factors, ContractionPlan plan, int[] priorOrder,
    boolean automaticGuide, InputConstraint[] inputConstraints) {

  public int variableIndex(String name) {
    for (int i = 0; i < variables.length; i++) {
      if (variables[i].name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the plate with this name (0 is the top level, whose name is empty), or -1. */
  public int plateIndex(String name) {
    for (int i = 0; i < plates.length; i++) {
      if (plates[i].name().equals(name)) {
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

  /** Elements of each plate's whole nest: the product of the sizes along its chain (the top level has 1). */
  public int[] plateCounts(int[] plateSize) {
    int[] count = new int[plates.length];
    for (int p = 0; p < count.length; p++) {
      int parent = plates[p].parent();
      count[p] = parent < 0 ? 1 : Math.multiplyExact(count[parent], plateSize[p]);
    }
    return count;
  }

  /** The extents of a variable's values: the sizes of its plates (outermost first), then its event shape. */
  public int[] dims(VariableSpec v, int[] plateSize) {
    return dims(v.plate(), v.shape(), plateSize);
  }

  /** The extents of anything held per element of {@code plate} with this shape: the plates' sizes, then it. */
  public int[] dims(int plate, int[] shape, int[] plateSize) {
    int[] chain = plateChain(plate);
    int[] dims = new int[chain.length - 1 + shape.length];
    for (int i = 1; i < chain.length; i++) {
      dims[i - 1] = plateSize[chain[i]];
    }
    System.arraycopy(shape, 0, dims, chain.length - 1, shape.length);
    return dims;
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
