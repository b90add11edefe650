package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * Joint posterior draws by importance resampling: draw {@code n} picks one particle per latent group and plate
 * element, jointly from the posterior over all particle combinations.
 */
public final class Draws {
  private final ModelSpec spec;
  private final int count;
  private final List<Integer> variables;
  private final double[][] values;
  private final int[][] shapes;

  private Draws(ModelSpec spec, int count, List<Integer> variables, double[][] values, int[][] shapes) {
    this.spec = spec;
    this.count = count;
    this.variables = variables;
    this.values = values;
    this.shapes = shapes;
  }

  static Draws gather(ModelSpec spec, ModelState state, int n, int[][] index) {
    List<Integer> vars = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    int k = state.K;
    for (int v = 0; v < spec.variables().length; v++) {
      VariableSpec var = spec.variables()[v];
      if (!var.isLatent()) {
        continue;
      }
      int count = state.plateCount[var.plate()];
      int size = var.size();
      double[] out = new double[n * count * size];
      double[] z = state.samples[v];
      int[] idx = index[var.group()];
      for (int d = 0; d < n; d++) {
        for (int e = 0; e < count; e++) {
          int kk = idx[d * count + e];
          // each draw's elements in the data's order (rows grouped by an index are regrouped in the engine)
          int at = (d * count + state.nest.userRow(var.plate(), e)) * size;
          for (int c = 0; c < size; c++) {
            out[at + c] = z[(e * size + c) * k + kk];
          }
        }
      }
      vars.add(v);
      values.add(out);
      shapes.add(spec.dims(var, state.plateSize));
    }
    return new Draws(spec, n, vars, values.toArray(new double[0][]), shapes.toArray(new int[0][]));
  }

  /** Number of draws. */
  public int count() {
    return count;
  }

  /** Names of the latent variables drawn, in declaration order. */
  public List<String> names() {
    return variables.stream().map(v -> spec.variables()[v].name()).toList();
  }

  /** Values of one variable: {@code [draw][entry]} flattened as {@code draw * entries + entry}. */
  public double[] values(String name) {
    return values[position(name)].clone();
  }

  /** Number of scalar entries per draw of a variable (plate elements times event size). */
  public int entries(String name) {
    int[] s = shapes[position(name)];
    int n = 1;
    for (int d : s) {
      n *= d;
    }
    return n;
  }

  /** Plate sizes then event shape of one draw of a variable. */
  public int[] shape(String name) {
    return shapes[position(name)].clone();
  }

  private int position(String name) {
    for (int i = 0; i < variables.size(); i++) {
      if (spec.variables()[variables.get(i)].name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no draws of '" + name + "'");
  }
}
