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

  public Array get(String name) {
    return arrays.get(name);
  }

  public Map<String, Array> arrays() {
    return Collections.unmodifiableMap(arrays);
  }
}
