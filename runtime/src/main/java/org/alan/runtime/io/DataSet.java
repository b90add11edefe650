package org.alan.runtime.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values for a model's inputs and observed variables, by name, each a nested array with the outermost plate
 * first and event axes last. Built from JSON ({@link JsonData}) or in code.
 */
public final class DataSet {
  private final Map<String, Array> arrays = new LinkedHashMap<>();
  /** Per variable read from a table: where each of its values came from (file, line, column). */
  private final Map<String, java.util.function.IntFunction<String>> locators = new LinkedHashMap<>();
  private final java.util.List<String> notes = new java.util.ArrayList<>();
  private final String origin;

  public DataSet(String origin) {
    this.origin = origin;
  }

  /** Where the data came from, for error messages ({@code data.json}, or {@code <code>}). */
  public String origin() {
    return origin;
  }

  public DataSet put(String name, Array array) {
    arrays.put(name, array);
    return this;
  }

  public DataSet put(String name, double value) {
    return put(name, Array.scalar(value));
  }

  /** Takes a nested Java array ({@code double[]}, {@code int[][]}, ...) and flattens it, checking it is rectangular. */
  public DataSet put(String name, Object nested) {
    return put(name, NestedArrays.flatten(name, nested, origin));
  }

  /** Records where each value of a variable came from, for error messages (tables do; JSON names positions). */
  public DataSet locate(String name, java.util.function.IntFunction<String> where) {
    locators.put(name, where);
    return this;
  }

  /**
   * "data.json: 'y'[3][1]" or "radon.csv:14: column 'y'": where the value at flat position {@code flat} (over
   * {@code dims}) of a variable came from.
   */
  public String where(String name, int flat, int[] dims) {
    return where("", name, flat, dims);
  }

  /** The same, naming the kind of variable ({@code "input "}) where positions are named (JSON). */
  public String where(String kind, String name, int flat, int[] dims) {
    java.util.function.IntFunction<String> locator = locators.get(name);
    if (locator != null) {
      return locator.apply(flat);
    }
    StringBuilder b = new StringBuilder(origin).append(": ").append(kind).append('\'').append(name).append('\'');
    for (int i : Indices.unflatten(flat, dims)) {
      b.append('[').append(i).append(']');
    }
    return b.toString();
  }

  /** Whether a variable's values came from a table (their locations are lines and columns). */
  public boolean located(String name) {
    return locators.containsKey(name);
  }

  /** Something noticed while reading that does not stop the run (a column the model does not use). */
  public DataSet note(String warning) {
    notes.add(warning);
    return this;
  }

  public java.util.List<String> notes() {
    return java.util.Collections.unmodifiableList(notes);
  }

  /** Adds every variable of {@code other} (with where its values came from); a name given twice is an error. */
  public DataSet putAll(DataSet other) {
    for (Map.Entry<String, Array> e : other.arrays.entrySet()) {
      if (arrays.containsKey(e.getKey())) {
        throw new DataException(other.origin + ": '" + e.getKey() + "' is also given in " + origin);
      }
      arrays.put(e.getKey(), e.getValue());
    }
    locators.putAll(other.locators);
    notes.addAll(other.notes);
    return this;
  }

  public Array get(String name) {
    return arrays.get(name);
  }

  public Map<String, Array> arrays() {
    return Collections.unmodifiableMap(arrays);
  }
}
