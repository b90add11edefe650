package org.alan.runtime.engine;

import org.alan.runtime.model.GroupSpec;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.ParamSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * Everything generated code reads and writes for one run: plate sizes, the data, the guide's parameters and the
 * particles. Layouts are flat arrays, plate elements outermost:
 * <ul>
 *   <li>latent {@code v}: {@code samples[v][(element * E + coordinate) * K + k]} (particles contiguous)</li>
 *   <li>data and inputs: {@code values[v][element * E + coordinate]}</li>
 *   <li>parameters: {@code params[p][element * E + coordinate]}</li>
 *   <li>parent particle choices: {@code parentIndex[g][h][parentElement * K + k]} is the particle of group
 *       {@code h} that particle k of group {@code g} was drawn from</li>
 * </ul>
 * where {@code element} is a flat index over the variable's whole plate nest.
 */
public final class ModelState {
  public final ModelSpec spec;
  public final int K;
  public final double logK;
  /** Elements per plate as a person reads them (plate 0, the top level, has 1); see {@link PlateNest#sizes}. */
  public final int[] plateSize;
  /** Which elements of each plate lie in which parent element. */
  public final PlateNest nest;
  /** Number of elements of the whole nest down to each plate: the product of sizes along its chain. */
  public final int[] plateCount;
  public final double[][] samples;
  public final double[][] values;
  public final double[][] params;
  public final int[][][] parentIndex;
  /** The power of the likelihood in this run's target (1: the posterior); set by the engine before any kernel. */
  public double temperature = 1;
  /** Whether this run uses the Vector API kernels (generated {@code newKernel} picks the variant by it). */
  public final boolean vector;

  public ModelState(ModelSpec spec, int k, int[] plateSize, double[][] values, double[][] params, boolean vector) {
    this(spec, k, PlateNest.regular(spec, plateSize), values, params, vector);
  }

  public ModelState(ModelSpec spec, int k, PlateNest nest, double[][] values, double[][] params, boolean vector) {
    this.spec = spec;
    this.K = k;
    this.logK = Math.log(k);
    this.nest = nest;
    this.plateSize = nest.sizes();
    this.plateCount = nest.counts();
    this.values = values;
    this.params = params;
    this.samples = new double[spec.variables().length][];
    for (int v = 0; v < samples.length; v++) {
      VariableSpec var = spec.variables()[v];
      if (var.isLatent()) {
        samples[v] = new double[Math.multiplyExact(Math.multiplyExact(plateCount[var.plate()], var.size()), k)];
      }
    }
    this.parentIndex = new int[spec.groups().length][spec.groups().length][];
    this.vector = vector;
  }

  /** Initial parameter values: every coordinate of every element at its {@code init}. */
  public static double[][] initialParams(ModelSpec spec, int[] plateCount) {
    double[][] out = new double[spec.params().length][];
    for (int i = 0; i < out.length; i++) {
      ParamSpec p = spec.params()[i];
      out[i] = new double[plateCount[p.plate()] * p.size()];
      java.util.Arrays.fill(out[i], p.init());
    }
    return out;
  }

  /** The element of ancestor plate {@code ancestor} that contains element {@code element} of {@code plate}. */
  public int ancestorElement(int plate, int element, int ancestor) {
    return nest.ancestorElement(plate, element, ancestor);
  }

  public GroupSpec group(int g) {
    return spec.groups()[g];
  }
}
