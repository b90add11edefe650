package org.alan.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * @param derived the lets that read latents, reported beside them
 * @param shears the automatic guide's linear decorrelations (at most one per latent)
 * @param transforms the inputs computed from the bound data, in the order they read each other
 */
public record ModelSpec(String name, String sourceName, PlateSpec[] plates, VariableSpec[] variables,
    GroupSpec[] groups, ParamSpec[] params, QemSpec[] qem, FactorSpec[] factors, ContractionPlan plan, int[] priorOrder,
    boolean automaticGuide, InputConstraint[] inputConstraints, DerivedSpec[] derived, ShearSpec[] shears,
    TransformSpec[] transforms) {

  /** Whether variable {@code id} is an input the model computes ({@link #transforms}), not one the data give. */
  public boolean isComputedInput(int id) {
    for (TransformSpec t : transforms) {
      if (t.input() == id) {
        return true;
      }
    }
    return false;
  }

  /** The shear of a latent (see {@link ShearSpec}), or null when the model reads its particles as they are. */
  public ShearSpec shearOf(int variable) {
    for (ShearSpec s : shears) {
      if (s.variable() == variable) {
        return s;
      }
    }
    return null;
  }

  /**
   * The latents with an improper prior (Flat, HalfFlat), each with a {@link org.alan.stdlib.GuideParameter#SURROGATE}
   * weight: the log marginal likelihood is then undefined, and the model cannot be drawn from.
   */
  public java.util.List<String> improperLatents() {
    return Arrays.stream(params).filter(p -> p.kind() == org.alan.stdlib.GuideParameter.SURROGATE)
        .map(p -> variables[p.variable()].name()).toList();
  }

  /**
   * Whether variable {@code id} is an input the model makes itself (a computed input, or a ragged plate's hidden
   * parent index), which data do not give and summaries do not list.
   */
  public boolean isHiddenInput(int id) {
    if (isComputedInput(id)) {
      return true;
    }
    for (PlateSpec p : plates) {
      if (p.ragged() && p.indexInput() == id) {
        return true;
      }
    }
    return false;
  }

  /** Whether factor {@code f} is a {@code target +=} term: a factor of no latent group and no observed variable. */
  public boolean isTargetTerm(int f) {
    return factors[f].group() < 0 && variableIndex(factors[f].name()) < 0;
  }

  /** Whether the model has {@code target +=} terms, which drawing from it cannot follow. */
  public boolean hasTargetTerms() {
    return java.util.stream.IntStream.range(0, factors.length).anyMatch(this::isTargetTerm);
  }

  /** Whether this latent has an improper prior (see {@link #improperLatents}). */
  public boolean isImproper(int variable) {
    return Arrays.stream(params).anyMatch(p -> p.kind() == org.alan.stdlib.GuideParameter.SURROGATE
        && p.variable() == variable);
  }

  /** The index of the derived quantity with this name, or -1. */
  public int derivedIndex(String name) {
    for (int i = 0; i < derived.length; i++) {
      if (derived[i].name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

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

  /**
   * Elements of each plate's whole nest: the product of the sizes along its chain (the top level has 1). The size
   * of a plate grouped by an index input is its number of rows per element of the plate its rows are read in.
   */
  public int[] plateCounts(int[] plateSize) {
    int[] count = new int[plates.length];
    for (int p = 0; p < count.length; p++) {
      int parent = userParent(p);
      long elements = parent < 0 ? 1 : (long) count[parent] * plateSize[p];
      if (elements > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(tooManyElements(p, plateSize, elements));
      }
      count[p] = (int) elements;
    }
    return count;
  }

  /** The error for a plate nest with more elements than a Java array can index, naming the plates and sizes. */
  private String tooManyElements(int plate, int[] plateSize, long elements) {
    List<String> chain = new ArrayList<>();
    for (int p = plate; userParent(p) >= 0; p = userParent(p)) {
      chain.add(0, "'" + plates[p].name() + "' (" + plateSize[p] + ")");
    }
    return String.format(Locale.ROOT, "plate '%s' would have %d elements in all (%s), more than the %d"
        + " that Java's arrays can index; use fewer or smaller plates", plates[plate].name(), elements,
        String.join(" x ", chain), Integer.MAX_VALUE);
  }

  /**
   * The plate a person reads this plate's elements in: its parent, except for a plate grouped by an index input,
   * whose rows are listed in the parent of the plate the index points into.
   */
  public int userParent(int plate) {
    PlateSpec p = plates[plate];
    return p.grouped() ? plates[p.parent()].parent() : p.parent();
  }

  /** Whether any plate is grouped by an index input (the engine's nest is then not a regular array). */
  public boolean hasGroupedPlates() {
    for (PlateSpec p : plates) {
      if (p.grouped()) {
        return true;
      }
    }
    return false;
  }

  /** The extents of a variable's values: the sizes of its plates (outermost first), then its event shape. */
  public int[] dims(VariableSpec v, int[] plateSize) {
    return dims(v.plate(), v.shape(), plateSize);
  }

  /**
   * The extents of anything held per element of {@code plate} with this shape, as a person reads it: the plates'
   * sizes (a plate grouped by an index input counts its rows, not the plate it is grouped in), then the shape.
   */
  public int[] dims(int plate, int[] shape, int[] plateSize) {
    int[] chain = userChain(plate);
    int[] dims = new int[chain.length - 1 + shape.length];
    for (int i = 1; i < chain.length; i++) {
      dims[i - 1] = plateSize[chain[i]];
    }
    System.arraycopy(shape, 0, dims, chain.length - 1, shape.length);
    return dims;
  }

  /** The plates a person reads {@code plate} in, from the top level down to it (see {@link #userParent}). */
  public int[] userChain(int plate) {
    int depth = 0;
    for (int p = plate; p >= 0; p = userParent(p)) {
      depth++;
    }
    int[] chain = new int[depth];
    for (int p = plate, i = depth - 1; p >= 0; p = userParent(p), i--) {
      chain[i] = p;
    }
    return chain;
  }

  /** The plates from the top level down to {@code plate}, inclusive, as the engine nests them. */
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
