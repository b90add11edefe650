package org.alan.runtime.model;

import java.util.Arrays;

/**
 * The elements of every plate for one data set, as the engine nests them. A plate's elements are numbered flat
 * over its whole nest, each parent element's elements contiguous. Most plates are regular (every parent element
 * has the same number of elements, so the parent of element {@code e} is {@code e / size}); a plate grouped by an
 * index input ({@code input county : counties;}) is ragged: its rows are reordered, stably, so that each element
 * of the plate the index points into owns a contiguous run of them, of its own length (possibly 0). That keeps
 * the contraction exact and linear in the number of rows. People read such a plate's elements in row order; the
 * methods {@link #userOrder} and {@link #engineOrder} translate.
 */
public final class PlateNest {
  private final ModelSpec spec;
  /** Elements per plate as a person reads them (rows per user-parent element for a grouped plate). */
  private final int[] size;
  private final int[] count;
  /** For a grouped plate: the first element of each parent element, and one past the last; else null. */
  private final int[][] first;
  /** For a grouped plate: the parent element of each element; else null. */
  private final int[][] parentOf;
  /** For a grouped plate: the row (in the data's order, flat over its user nest) of each element; else null. */
  private final int[][] row;

  private PlateNest(ModelSpec spec, int[] size, int[][] first, int[][] parentOf, int[][] row) {
    this.spec = spec;
    this.size = size.clone();
    this.count = spec.plateCounts(size);
    this.first = first;
    this.parentOf = parentOf;
    this.row = row;
  }

  /** A nest with no grouped plates: every plate has {@code size[p]} elements per parent element. */
  public static PlateNest regular(ModelSpec spec, int[] size) {
    if (spec.hasGroupedPlates()) {
      throw new IllegalArgumentException("internal error: model " + spec.name() + " has plates grouped by an index"
          + " input, so its nest needs the index values");
    }
    int n = spec.plates().length;
    return new PlateNest(spec, size, new int[n][], new int[n][], new int[n][]);
  }

  /**
   * A nest whose grouped plates take their runs from {@code target}: for grouped plate p, {@code target[p][r]} is
   * the element (0-based, within its parent's element of the same user nest) that row r belongs to.
   */
  public static PlateNest grouped(ModelSpec spec, int[] size, int[][] target) {
    int n = spec.plates().length;
    int[][] first = new int[n][];
    int[][] parentOf = new int[n][];
    int[][] row = new int[n][];
    int[] count = spec.plateCounts(size);
    for (int p = 0; p < n; p++) {
      PlateSpec plate = spec.plates()[p];
      if (!plate.grouped()) {
        continue;
      }
      int into = plate.parent();
      int perUser = size[into];
      int rows = count[p];
      int[] owner = new int[rows];
      int[] start = new int[count[into] + 1];
      for (int r = 0; r < rows; r++) {
        int userElement = r / size[p];
        owner[r] = userElement * perUser + target[p][r];
        start[owner[r] + 1]++;
      }
      for (int t = 0; t < count[into]; t++) {
        start[t + 1] += start[t];
      }
      int[] next = Arrays.copyOf(start, count[into]);
      int[] rowOf = new int[rows];
      int[] parent = new int[rows];
      for (int r = 0; r < rows; r++) {
        int e = next[owner[r]]++;
        rowOf[e] = r;
        parent[e] = owner[r];
      }
      first[p] = start;
      parentOf[p] = parent;
      row[p] = rowOf;
    }
    return new PlateNest(spec, size, first, parentOf, row);
  }

  /** Elements per plate as a person reads them; for a grouped plate, its rows per element of its user parent. */
  public int[] sizes() {
    return size.clone();
  }

  /** Elements of each plate's whole nest. */
  public int[] counts() {
    return count.clone();
  }

  public int count(int plate) {
    return count[plate];
  }

  public boolean grouped(int plate) {
    return row[plate] != null;
  }

  /** The first element of plate {@code plate} inside element {@code parentElement} of its parent. */
  public int first(int plate, int parentElement) {
    return first[plate] != null ? first[plate][parentElement] : parentElement * size[plate];
  }

  /** How many elements of plate {@code plate} lie inside element {@code parentElement} of its parent. */
  public int sizeAt(int plate, int parentElement) {
    return first[plate] != null ? first[plate][parentElement + 1] - first[plate][parentElement] : size[plate];
  }

  /** The largest number of elements any parent element has in this plate. */
  public int maxSize(int plate) {
    if (first[plate] == null) {
      return size[plate];
    }
    int max = 0;
    for (int pe = 0; pe + 1 < first[plate].length; pe++) {
      max = Math.max(max, first[plate][pe + 1] - first[plate][pe]);
    }
    return max;
  }

  /** The element of {@code ancestor} (the plate or one enclosing it, as the engine nests them) containing it. */
  public int ancestorElement(int plate, int element, int ancestor) {
    int e = element;
    for (int p = plate; p != ancestor; p = spec.plates()[p].parent()) {
      e = parentOf[p] != null ? parentOf[p][e] : e / size[p];
    }
    return e;
  }

  /** The row, in the order a person gave the data, of element {@code element} of a plate. */
  public int userRow(int plate, int element) {
    return row[plate] != null ? row[plate][element] : element;
  }

  /**
   * Values held per element of {@code plate} ({@code per} entries each), from engine order to the data's order:
   * {@code values} itself where the two orders agree.
   */
  public double[] userOrder(int plate, double[] values, int per) {
    return row[plate] == null ? values : permute(plate, values, per, true);
  }

  /** The same, always a new array (safe to hand out). */
  public double[] userCopy(int plate, double[] values, int per) {
    return row[plate] == null ? values.clone() : permute(plate, values, per, true);
  }

  /** The inverse of {@link #userOrder}: values in the data's order, rearranged for the engine. */
  public double[] engineOrder(int plate, double[] values, int per) {
    return row[plate] == null ? values : permute(plate, values, per, false);
  }

  /** The same, always a new array. */
  public double[] engineCopy(int plate, double[] values, int per) {
    return row[plate] == null ? values.clone() : permute(plate, values, per, false);
  }

  private double[] permute(int plate, double[] values, int per, boolean toUser) {
    double[] out = new double[values.length];
    int[] r = row[plate];
    for (int e = 0; e < r.length; e++) {
      if (toUser) {
        System.arraycopy(values, e * per, out, r[e] * per, per);
      } else {
        System.arraycopy(values, r[e] * per, out, e * per, per);
      }
    }
    return out;
  }
}
