package org.alan.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import org.alan.runtime.model.CompiledModel;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.ShearSpec;
import org.alan.runtime.model.VariableSpec;

/**
 * Joint posterior draws by importance resampling: draw {@code n} picks one particle per latent group and plate
 * element, jointly from the posterior over all particle combinations. Beside the latents, each draw holds the
 * model's derived quantities evaluated at it, and on request replicated data drawn from the model given it.
 */
public final class Draws {
  /** What a column set of the draws holds. */
  public enum Kind { LATENT, DERIVED, REPLICATED }

  private final int count;
  private final List<String> names;
  private final List<Kind> kinds;
  private final List<double[]> values;
  private final List<int[]> shapes;
  /** The particle each draw picks, per group: {@code [g][d * count + element]}, engine element order. */
  private final int[][] index;

  private Draws(int count, List<String> names, List<Kind> kinds, List<double[]> values, List<int[]> shapes,
      int[][] index) {
    this.count = count;
    this.index = index;
    this.names = List.copyOf(names);
    this.kinds = List.copyOf(kinds);
    this.values = List.copyOf(values);
    this.shapes = List.copyOf(shapes);
  }

  /** The suffix of the name under which a data variable's replicated values are written ({@code y_rep}). */
  public static final String REPLICATED_SUFFIX = "_rep";

  /**
   * The draws of the chosen particles ({@code index[g][d * count + element]} for group g, engine element order),
   * with the derived quantities, and replicated data when {@code replicate}.
   */
  static Draws gather(CompiledModel model, ModelState state, int n, int[][] index, boolean replicate, long seed) {
    ModelSpec spec = state.spec;
    GeneratedQuantities generated = new GeneratedQuantities(model, state, n, replicate, seed);
    ModelState one = generated.state();
    List<Integer> latents = new ArrayList<>();
    List<double[]> values = new ArrayList<>();
    for (int v = 0; v < spec.variables().length; v++) {
      VariableSpec var = spec.variables()[v];
      if (var.isLatent()) {
        latents.add(v);
        values.add(new double[n * state.plateCount[var.plate()] * var.size()]);
      }
    }
    for (int d = 0; d < n; d++) {
      generated.load(index, d);
      for (int i = 0; i < latents.size(); i++) {
        VariableSpec var = spec.variables()[latents.get(i)];
        int count = state.plateCount[var.plate()];
        int size = var.size();
        // a decorrelated latent's draw is the value the model reads there, not its particle (computed here when it
        // is a function of its own particle, else as the derived quantity of its name, below)
        ShearSpec shear = spec.shearOf(latents.get(i));
        double[] drawn = shear != null && shear.perParticle(spec) ? Shear.modelValues(shear, one)
            : one.samples[latents.get(i)];
        for (int e = 0; e < count; e++) {
          // each draw's elements in the data's order (rows grouped by an index are regrouped in the engine)
          System.arraycopy(drawn, e * size, values.get(i),
              (d * count + state.nest.userRow(var.plate(), e)) * size, size);
        }
      }
      generated.evaluate(d);
    }
    List<String> names = new ArrayList<>();
    List<Kind> kinds = new ArrayList<>();
    List<int[]> shapes = new ArrayList<>();
    for (int v : latents) {
      names.add(spec.variables()[v].name());
      kinds.add(Kind.LATENT);
      shapes.add(spec.dims(spec.variables()[v], state.plateSize));
    }
    generated.emit((name, kind, flat, shape) -> {
      int latent = names.indexOf(name);
      if (latent >= 0) {
        values.set(latent, flat);
        return;
      }
      names.add(name);
      kinds.add(kind);
      values.add(flat);
      shapes.add(shape);
    });
    return new Draws(n, names, kinds, values, shapes, index);
  }

  /** The first {@code n} draws (themselves independent joint draws from the same posterior). */
  public Draws first(int n) {
    if (n < 0 || n > count) {
      throw new IllegalArgumentException("asked for the first " + n + " of " + count + " draws");
    }
    List<double[]> firstValues = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      firstValues.add(java.util.Arrays.copyOf(values.get(i), n * entries(names.get(i))));
    }
    int[][] firstIndex = new int[index.length][];
    for (int g = 0; g < index.length; g++) {
      firstIndex[g] = java.util.Arrays.copyOf(index[g], index[g].length / Math.max(1, count) * n);
    }
    return new Draws(n, names, kinds, firstValues, shapes, firstIndex);
  }

  /**
   * The particle draw {@code d} picks for group {@code g} at element {@code element} (engine element order), for
   * methods built on a run's draws (the fit of the automatic guide's decorrelation).
   */
  public int particle(int g, int d, int element) {
    return index[g][d * (index[g].length / count) + element];
  }

  /**
   * The particles draw {@code d} picks for latent {@code v} (what its particles hold, before any decorrelation), one
   * per element and coordinate, elements in the data's order as {@link #values}.
   */
  public double[] particles(ModelState state, int v, int d) {
    VariableSpec var = state.spec.variables()[v];
    int count = state.plateCount[var.plate()];
    int size = var.size();
    double[] out = new double[count * size];
    for (int e = 0; e < count; e++) {
      int kk = particle(var.group(), d, e);
      int row = state.nest.userRow(var.plate(), e);
      for (int c = 0; c < size; c++) {
        out[row * size + c] = state.samples[v][(e * size + c) * state.K + kk];
      }
    }
    return out;
  }

  /** Number of draws. */
  public int count() {
    return count;
  }

  /** Names of everything drawn: the latents in declaration order, then derived quantities, then replicated data. */
  public List<String> names() {
    return names;
  }

  /** What the named column set holds. */
  public Kind kind(String name) {
    return kinds.get(position(name));
  }

  /** Whether the draws hold this name. */
  public boolean has(String name) {
    return names.contains(name);
  }

  /** Values of one variable: {@code [draw][entry]} flattened as {@code draw * entries + entry}. */
  public double[] values(String name) {
    return values.get(position(name)).clone();
  }

  /** Number of scalar entries per draw of a variable (plate elements times event size). */
  public int entries(String name) {
    int n = 1;
    for (int d : shapes.get(position(name))) {
      n *= d;
    }
    return n;
  }

  /** Plate sizes then event shape of one draw of a variable. */
  public int[] shape(String name) {
    return shapes.get(position(name)).clone();
  }

  private int position(String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("no draws of '" + name + "'; the draws hold " + names);
    }
    return i;
  }
}
