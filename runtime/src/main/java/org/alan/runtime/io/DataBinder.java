package org.alan.runtime.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.alan.runtime.model.InputConstraint;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.PlateSpec;
import org.alan.runtime.model.VariableKind;
import org.alan.runtime.model.VariableSpec;
import org.alan.stdlib.SupportKind;

/**
 * Checks data against a model before any computation: every input and observed variable present, nesting depth
 * and extents consistent with the plates and event shapes, no NaN or infinity, observed values inside their
 * distribution's support. Plate sizes are read from the arrays.
 */
public final class DataBinder {
  private DataBinder() {}

  /** Binds the data of a model that computes no inputs ({@link ModelSpec#transforms}); else see the other form. */
  public static BoundData bind(ModelSpec spec, DataSet data) {
    if (spec.transforms().length > 0) {
      throw new IllegalArgumentException("model " + spec.name() + " computes inputs from its data (lag, cumsum): bind"
          + " with the compiled model");
    }
    return bind(spec, data, true, Map.of());
  }

  /** Binds the data, then computes the inputs the model derives from them (lag, cumsum). */
  public static BoundData bind(org.alan.runtime.model.CompiledModel model, DataSet data) {
    BoundData bound = bind(model.spec(), data, true, Map.of());
    org.alan.runtime.engine.ComputedInputs.apply(model, bound, data.origin());
    return bound;
  }

  /**
   * Binds the inputs only, for drawing the observed variables from the model: observed values in {@code data}
   * are ignored, and plates that no input spans take their size from {@code sizes} (plate name to size).
   */
  public static BoundData bindInputs(ModelSpec spec, DataSet data, Map<String, Integer> sizes) {
    return bind(spec, data, false, sizes);
  }

  private static BoundData bind(ModelSpec spec, DataSet data, boolean observed, Map<String, Integer> sizes) {
    String origin = data.origin();
    VariableSpec[] vars = spec.variables();
    for (Map.Entry<String, Integer> given : sizes.entrySet()) {
      int plate = spec.plateIndex(given.getKey());
      if (plate <= 0) {
        List<String> names = Arrays.stream(spec.plates()).skip(1).map(PlateSpec::name).toList();
        throw new DataException("the model has no plate '" + given.getKey() + "'"
            + (names.isEmpty() ? " (it has no plates)" : "; its plates are " + String.join(", ", names)));
      }
      if (spec.plates()[plate].ragged()) {
        throw new DataException("plate '" + given.getKey() + "' is ragged: its elements per element of '"
            + spec.plates()[spec.plates()[plate].parent()].name() + "' come from the nested arrays of its inputs, not"
            + " from a size");
      }
      int fixed = spec.plates()[plate].fixedSize();
      if (fixed > 0 && fixed != given.getValue()) {
        throw new DataException("plate '" + given.getKey() + "' has size " + fixed + " in the model, not "
            + given.getValue());
      }
    }
    List<String> missing = new ArrayList<>();
    for (int id = 0; id < vars.length; id++) {
      VariableSpec v = vars[id];
      boolean needed = v.kind() == VariableKind.INPUT && !spec.isHiddenInput(id)
          || observed && v.kind() == VariableKind.DATA;
      if (needed && data.get(v.name()) == null) {
        missing.add("'" + v.name() + "' (" + describe(spec, v) + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new DataException(origin + ": missing " + (missing.size() == 1 ? "variable " : "variables ")
          + String.join(", ", missing));
    }
    int[] size = new int[spec.plates().length];
    String[] sizeSource = new String[size.length];
    size[0] = 1;
    for (int p = 1; p < size.length; p++) {
      String name = spec.plates()[p].name();
      size[p] = spec.plates()[p].fixedSize();
      sizeSource[p] = size[p] > 0 ? "the model" : null;
      if (size[p] == 0 && sizes.containsKey(name)) {
        size[p] = sizes.get(name);
        sizeSource[p] = "the given sizes";
        if (size[p] < 1) {
          throw new DataException("the size of plate '" + name + "' must be at least 1, not " + size[p]);
        }
      }
    }
    double[][] values = new double[vars.length][];
    int[][] runs = new int[size.length][];
    for (int id = 0; id < vars.length; id++) {
      VariableSpec v = vars[id];
      if (v.kind() == VariableKind.LATENT || !observed && v.kind() == VariableKind.DATA || spec.isHiddenInput(id)) {
        continue;
      }
      Array a = data.get(v.name());
      if (spec.plates()[v.plate()].ragged()) {
        a = rows(spec, v, a, runs, size, sizeSource, origin);
      } else if (a.runs() != null) {
        throw notRectangular(spec, v, a.runs(), origin);
      }
      int[] chain = spec.userChain(v.plate());
      int plateAxes = chain.length - 1;
      int expectedRank = plateAxes + v.shape().length;
      if (a.rank() != expectedRank) {
        throw new DataException(origin + ": '" + v.name() + "' should have " + expectedRank
            + (expectedRank == 1 ? " axis" : " axes") + " (" + axesDescription(spec, v) + ") but has " + a.rank()
            + (a.rank() == 1 ? " axis" : " axes") + " " + Arrays.toString(a.dims()));
      }
      for (int axis = 0; axis < plateAxes; axis++) {
        int plate = chain[axis + 1];
        int n = a.dims()[axis];
        PlateSpec ps = spec.plates()[plate];
        if (n == 0) {
          throw new DataException(origin + ": '" + v.name() + "' has no elements along plate '" + ps.name() + "'");
        }
        if (size[plate] == 0) {
          size[plate] = n;
          sizeSource[plate] = "'" + v.name() + "'";
        } else if (size[plate] != n) {
          throw new DataException(origin + ": plate '" + ps.name() + "' has " + elements(size[plate])
              + " according to " + sizeSource[plate] + " but '" + v.name() + "' has " + n + " along it (axis " + axis
              + ")");
        }
      }
      for (int j = 0; j < v.shape().length; j++) {
        int found = a.dims()[plateAxes + j];
        if (found != v.shape()[j]) {
          throw new DataException(origin + ": '" + v.name() + "' is declared with shape " + Arrays.toString(v.shape())
              + " but its event axis " + j + " has " + found + " elements");
        }
      }
      values[id] = a.values().clone();
      verifyFinite(v, values[id], a.dims(), data);
    }
    for (int p = 1; p < size.length; p++) {
      if (spec.plates()[p].ragged() && runs[p] != null) {
        values[spec.plates()[p].indexInput()] = parentIndex(runs[p]);
      }
    }
    int[][] target = indexTargets(spec, values, size, sizeSource, data);
    for (int p = 1; p < size.length; p++) {
      if (size[p] == 0) {
        throw new DataException(origin + ": cannot tell the size of plate '" + spec.plates()[p].name()
            + "': no input or observed variable in it was given" + (observed ? "" : "; give it as --size "
            + spec.plates()[p].name() + "=N"));
      }
    }
    for (InputConstraint c : spec.inputConstraints()) {
      if (!spec.isComputedInput(c.input())) { // computed inputs are checked once computed
        verifyParameterInput(spec, c, values[c.input()], size, data);
      }
    }
    for (int id = 0; id < vars.length; id++) {
      if (observed && vars[id].kind() == VariableKind.DATA) {
        verifySupport(spec, vars[id], values, size, target, data);
      }
    }
    List<String> warnings = new ArrayList<>(data.notes());
    for (Map.Entry<String, Array> e : data.arrays().entrySet()) {
      int id = spec.variableIndex(e.getKey());
      if (id < 0) {
        warnings.add(origin + ": '" + e.getKey() + "' is not a variable of model " + spec.name() + "; ignored");
      } else if (vars[id].kind() == VariableKind.LATENT || !observed && vars[id].kind() == VariableKind.DATA) {
        warnings.add(origin + ": '" + e.getKey() + "' is " + (vars[id].kind() == VariableKind.LATENT
            ? "a latent" : "an observed") + " variable of model " + spec.name() + "; its value in the data is ignored");
      }
    }
    PlateNest nest = spec.hasGroupedPlates() ? PlateNest.grouped(spec, size, target) : PlateNest.regular(spec, size);
    for (int id = 0; id < vars.length; id++) {
      if (values[id] != null) {
        values[id] = nest.engineOrder(vars[id].plate(), values[id], vars[id].size());
      }
    }
    return new BoundData(spec, nest, values, warnings);
  }

  /**
   * For each plate grouped by an index input, the element (0-based, within the user parent's element) that each
   * row's index names, after checking every index is an integer naming an element. A plate the indexes point
   * into whose size nothing else gives takes it from the largest index.
   */
  private static int[][] indexTargets(ModelSpec spec, double[][] values, int[] size, String[] sizeSource,
      DataSet data) {
    int[][] target = new int[spec.plates().length][];
    for (int p = 1; p < size.length; p++) {
      PlateSpec plate = spec.plates()[p];
      if (!plate.grouped()) {
        continue;
      }
      VariableSpec index = spec.variables()[plate.indexInput()];
      double[] x = values[plate.indexInput()];
      if (x == null) {
        continue; // reported as missing already, or not bound (simulating needs the index too)
      }
      int into = plate.parent();
      String intoName = spec.plates()[into].name();
      int base = plate.indexBase();
      int max = Integer.MIN_VALUE;
      for (int r = 0; r < x.length; r++) {
        double value = x[r];
        if (value != Math.rint(value) || value < base) {
          throw new DataException(data.where(index.name(), r, new int[] {x.length}) + " = " + format(value)
              + " does not name an element of plate '" + intoName + "': its values must be integers from " + base
              + (base == 1 ? " (1-based, as in Stan; for data counted from 0 declare 'input " + index.name() + " : "
                  + intoName + "(base = 0);')" : ""));
        }
        if (value - base >= MAX_ELEMENTS) {
          throw new DataException(data.where(index.name(), r, new int[] {x.length}) + " = " + format(value)
              + " cannot name an element of plate '" + intoName + "': a plate has at most " + MAX_ELEMENTS
              + " elements (Java's arrays)");
        }
        max = (int) Math.max(max, value);
      }
      if (size[into] == 0) {
        size[into] = max - base + 1;
        sizeSource[into] = "the largest value of '" + index.name() + "'";
      }
      target[p] = new int[x.length];
      for (int r = 0; r < x.length; r++) {
        int t = (int) x[r] - base;
        if (t >= size[into]) {
          throw new DataException(data.where(index.name(), r, new int[] {x.length}) + " = " + format(x[r])
              + " does not name an element of plate '" + intoName + "', which has " + elements(size[into])
              + " according to " + sizeSource[into] + " (indexes run from " + base + " to " + (size[into] - 1 + base)
              + ")");
        }
        target[p][r] = t;
      }
    }
    return target;
  }


  /** The most elements a plate can have: the largest Java array, with room for one more offset. */
  private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 9;

  private static void verifyFinite(VariableSpec v, double[] values, int[] dims, DataSet data) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new DataException(data.where(v.name(), i, dims) + " is " + values[i]
            + "; values must be finite numbers");
      }
    }
  }

  private static void verifySupport(ModelSpec spec, VariableSpec v, double[][] values, int[] size, int[][] target,
      DataSet data) {
    SupportKind support = v.support();
    double[] x = values[spec.variableIndex(v.name())];
    int e = v.size();
    int[] dims = spec.dims(v, size);
    double[] bound = v.supportBoundInput() >= 0 ? values[v.supportBoundInput()] : null;
    VariableSpec boundVar = bound == null ? null : spec.variables()[v.supportBoundInput()];
    for (int i = 0; i < x.length; i++) {
      double upper = v.supportHigh();
      if (bound != null) {
        int element = i / e;
        int boundElement = ancestorElement(spec, size, target, v.plate(), element, boundVar.plate());
        upper = bound[boundElement * boundVar.size() + (boundVar.size() == 1 ? 0 : i % e)];
      }
      boolean unknownBound = Double.isNaN(upper) || support == SupportKind.INTERVAL && Double.isNaN(v.supportLow());
      boolean ok = unknownBound && (support == SupportKind.BOUNDED_INTEGER || support == SupportKind.CATEGORY
          || support == SupportKind.INTERVAL)
          ? relaxedContains(support, x[i])
          : support.contains(x[i], v.supportLow(), upper);
      if (!ok) {
        String bounds = switch (support) {
          case INTERVAL -> " [" + format(v.supportLow()) + ", " + format(upper) + "]";
          case BOUNDED_INTEGER, COUNT_VECTOR -> Double.isNaN(upper) ? "" : " (total count " + format(upper) + ")";
          case CATEGORY -> " (" + format(upper) + " categories)";
          default -> "";
        };
        throw new DataException(data.where(v.name(), i, dims) + " = " + format(x[i])
            + " is outside the support of its distribution: expected " + support.description() + bounds);
      }
    }
    if (support == SupportKind.COUNT_VECTOR) {
      verifyCountSums(spec, v, x, bound, boundVar, size, target, dims, data);
    }
    if (support == SupportKind.SIMPLEX) {
      int last = v.shape()[v.shape().length - 1];
      for (int start = 0; start < x.length; start += last) {
        double s = 0;
        for (int j = 0; j < last; j++) {
          s += x[start + j];
        }
        if (!SupportKind.simplexSumOk(s)) {
          String where = data.located(v.name()) ? data.where(v.name(), start, dims)
              : data.where(v.name(), start / last, Arrays.copyOf(dims, dims.length - 1));
          throw new DataException(where + " sums to "
              + format(s) + "; a simplex must sum to 1");
        }
      }
    }
  }

  /**
   * The values of a variable of a ragged plate as the plate's rows one after another (how an index input's rows
   * are held), from nested arrays ragged or not along the plate; records the number of rows of each element of
   * the enclosing plate, which every variable of the plate must agree on, and that plate's size.
   */
  private static Array rows(ModelSpec spec, VariableSpec v, Array a, int[][] runs, int[] size, String[] sizeSource,
      String origin) {
    PlateSpec plate = spec.plates()[v.plate()];
    int enclosing = plate.parent();
    int[] own = a.runs();
    Array flat = a;
    if (own == null) {
      if (a.rank() < 2) {
        throw new DataException(origin + ": '" + v.name() + "' should be nested arrays, one per element of plate '"
            + spec.plates()[enclosing].name() + "', each with its own elements of plate '" + plate.name() + "' (JSON:"
            + " a table cannot nest them; for a table, group the rows with an index input instead)");
      }
      own = new int[a.dims()[0]];
      Arrays.fill(own, a.dims()[1]);
      int[] dims = new int[a.rank() - 1];
      dims[0] = a.dims()[0] * a.dims()[1];
      System.arraycopy(a.dims(), 2, dims, 1, a.rank() - 2);
      flat = new Array(a.values(), dims);
    }
    int p = v.plate();
    if (runs[p] == null) {
      runs[p] = own;
    } else if (!Arrays.equals(runs[p], own)) {
      throw new DataException(origin + ": '" + v.name() + "' has " + describeRuns(own) + " elements along ragged"
          + " plate '" + plate.name() + "' per element of '" + spec.plates()[enclosing].name() + "', but another"
          + " variable of the plate has " + describeRuns(runs[p]));
    }
    if (size[enclosing] == 0) {
      size[enclosing] = own.length;
      sizeSource[enclosing] = "'" + v.name() + "'";
    } else if (size[enclosing] != own.length) {
      throw new DataException(origin + ": plate '" + spec.plates()[enclosing].name() + "' has "
          + elements(size[enclosing]) + " according to " + sizeSource[enclosing] + " but '" + v.name() + "' has "
          + own.length + " along it (axis 0)");
    }
    return flat;
  }

  /**
   * Arrays of unequal lengths at the second axis for a variable that does not take them: the lengths, and where the
   * second axis is a plate nested in a top-level plate, how to declare it ragged.
   */
  private static DataException notRectangular(ModelSpec spec, VariableSpec v, int[] runs, String origin) {
    int first = 0;
    while (first < runs.length && runs[first] == runs[0]) {
      first++;
    }
    String where = origin + ": '" + v.name() + "' is not rectangular: " + v.name() + "[" + first + "] has "
        + elements(runs[first]) + " but " + v.name() + "[0] has " + runs[0];
    int[] chain = spec.userChain(v.plate());
    if (chain.length >= 3) {
      String plate = spec.plates()[chain[2]].name();
      return new DataException(where + "; plate '" + plate + "' is regular (declare it plate " + plate
          + "(ragged) for elements of different sizes in each element of '" + spec.plates()[chain[1]].name()
          + "', or group the rows with an index input)");
    }
    return new DataException(where);
  }

  /** The hidden index of a ragged plate's rows: each row's element of the enclosing plate, from 1. */
  private static double[] parentIndex(int[] runs) {
    int rows = 0;
    for (int r : runs) {
      rows += r;
    }
    double[] index = new double[rows];
    int at = 0;
    for (int e = 0; e < runs.length; e++) {
      for (int j = 0; j < runs[e]; j++) {
        index[at++] = e + 1;
      }
    }
    return index;
  }

  private static String describeRuns(int[] runs) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(runs.length, 6); i++) {
      out.append(i > 0 ? ", " : "").append(runs[i]);
    }
    return out.append(runs.length > 6 ? ", ..." : "").toString();
  }

  /** A Multinomial's counts must sum to its total count, where that is a number or an input. */
  private static void verifyCountSums(ModelSpec spec, VariableSpec v, double[] x, double[] bound,
      VariableSpec boundVar, int[] size, int[][] target, int[] dims, DataSet data) {
    int last = v.shape()[v.shape().length - 1];
    for (int start = 0; start < x.length; start += last) {
      double total = v.supportHigh();
      if (bound != null) {
        total = bound[ancestorElement(spec, size, target, v.plate(), start / v.size(), boundVar.plate())];
      }
      double s = 0;
      for (int j = 0; j < last; j++) {
        s += x[start + j];
      }
      if (!Double.isNaN(total) && s != total) {
        String where = data.located(v.name()) ? data.where(v.name(), start, dims)
            : data.where(v.name(), start / last, Arrays.copyOf(dims, dims.length - 1));
        throw new DataException(where + " sums to " + format(s) + "; the counts of a Multinomial must sum to its"
            + " total count, " + format(total));
      }
    }
  }

  /** An input used as a distribution parameter must hold values of that parameter, wherever it is used. */
  private static void verifyParameterInput(ModelSpec spec, InputConstraint c, double[] values, int[] size,
      DataSet data) {
    for (int i = 0; i < values.length; i++) {
      if (!c.constraint().allowsParameter(values[i])) {
        VariableSpec input = spec.variables()[c.input()];
        throw new DataException(data.where("input ", input.name(), i, spec.dims(input, size)) + " = "
            + format(values[i]) + c.refusal(spec.sourceName()));
      }
    }
  }

  /** Integer checks that do not need the bound (the bound is not a constant or an input). */
  private static boolean relaxedContains(SupportKind support, double x) {
    return switch (support) {
      case BOUNDED_INTEGER, CATEGORY -> x >= 0 && x == Math.rint(x);
      default -> Double.isFinite(x);
    };
  }

  /**
   * The element of {@code ancestor} holding element {@code element} (in the data's order) of {@code plate}: a row of
   * a grouped plate lies in the element its index names.
   */
  private static int ancestorElement(ModelSpec spec, int[] size, int[][] target, int plate, int element,
      int ancestor) {
    int e = element;
    for (int p = plate; p != ancestor; p = spec.plates()[p].parent()) {
      PlateSpec ps = spec.plates()[p];
      e = ps.grouped() ? (e / size[p]) * size[ps.parent()] + target[p][e] : e / size[p];
    }
    return e;
  }

  private static String describe(ModelSpec spec, VariableSpec v) {
    String kind = v.kind() == VariableKind.INPUT ? "input" : "observed";
    return kind + ", axes " + axesDescription(spec, v);
  }

  private static String axesDescription(ModelSpec spec, VariableSpec v) {
    List<String> axes = new ArrayList<>();
    int[] chain = spec.userChain(v.plate());
    for (int i = 1; i < chain.length; i++) {
      axes.add(spec.plates()[chain[i]].name());
    }
    for (int d : v.shape()) {
      axes.add(String.valueOf(d));
    }
    return axes.isEmpty() ? "a single number" : "[" + String.join(", ", axes) + "]";
  }

  private static String elements(int n) {
    return n + (n == 1 ? " element" : " elements");
  }

  static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
