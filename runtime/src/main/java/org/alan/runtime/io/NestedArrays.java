package org.alan.runtime.io;

import java.util.ArrayList;
import java.util.List;

/**
 * Flattens nested arrays (Java arrays or lists from JSON) into an {@link Array}: rectangular ones, and ones ragged
 * along their second axis only (the rows of a ragged plate), whose rows must then agree below it.
 */
final class NestedArrays {
  private NestedArrays() {}

  static Array flatten(String name, Object nested, String origin) {
    int outer = length(nested);
    if (outer > 0 && raggedAtSecondAxis(nested, outer)) {
      return flattenRagged(name, nested, outer, origin);
    }
    return flattenRectangular(name, nested, origin);
  }

  private static boolean raggedAtSecondAxis(Object nested, int outer) {
    int first = length(element(nested, 0));
    for (int i = 1; i < outer; i++) {
      int n = length(element(nested, i));
      if (first >= 0 && n >= 0 && n != first) {
        return true;
      }
    }
    return false;
  }

  /** Rows one after another, each rectangular like the first row found. */
  private static Array flattenRagged(String name, Object nested, int outer, String origin) {
    int[] runs = new int[outer];
    int rows = 0;
    Object firstRow = null;
    for (int i = 0; i < outer; i++) {
      runs[i] = length(element(nested, i));
      if (runs[i] < 0) {
        throw new DataException(origin + ": " + name + "[" + i + "] should be an array (its siblings are), found a"
            + " single value");
      }
      rows += runs[i];
      if (firstRow == null && runs[i] > 0) {
        firstRow = element(element(nested, i), 0);
      }
    }
    List<Integer> inner = new ArrayList<>();
    for (Object probe = firstRow; length(probe) > 0; probe = element(probe, 0)) {
      inner.add(length(probe));
    }
    int[] rowShape = inner.stream().mapToInt(Integer::intValue).toArray();
    int perRow = 1;
    for (int d : rowShape) {
      perRow *= d;
    }
    double[] out = new double[rows * perRow];
    int[] cursor = {0};
    for (int i = 0; i < outer; i++) {
      Object run = element(nested, i);
      for (int j = 0; j < runs[i]; j++) {
        fill(name, element(run, j), rowShape, 0, new StringBuilder(name).append('[').append(i).append("][").append(j)
            .append(']'), out, cursor, origin);
      }
    }
    int[] dims = new int[1 + rowShape.length];
    dims[0] = rows;
    System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
    return new Array(out, dims, runs);
  }

  private static Array flattenRectangular(String name, Object nested, String origin) {
    List<Integer> dims = new ArrayList<>();
    Object probe = nested;
    while (true) {
      int n = length(probe);
      if (n < 0) {
        break;
      }
      dims.add(n);
      if (n == 0) {
        break;
      }
      probe = element(probe, 0);
    }
    int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
    int total = 1;
    for (int d : shape) {
      total *= d;
    }
    double[] out = new double[total];
    int[] cursor = {0};
    fill(name, nested, shape, 0, new StringBuilder(name), out, cursor, origin);
    return new Array(out, shape);
  }

  private static void fill(String name, Object node, int[] shape, int depth, StringBuilder path, double[] out,
      int[] cursor, String origin) {
    if (depth == shape.length) {
      out[cursor[0]++] = number(node, path.toString(), origin);
      return;
    }
    int n = length(node);
    if (n < 0) {
      throw new DataException(origin + ": " + path + " should be an array of " + shape[depth]
          + " elements (like its first sibling), found a single value");
    }
    if (n != shape[depth]) {
      throw new DataException(origin + ": '" + name + "' is not rectangular: " + path + " has " + n
          + (n == 1 ? " element" : " elements") + " but the first array at that depth has " + shape[depth]);
    }
    for (int i = 0; i < n; i++) {
      int mark = path.length();
      path.append('[').append(i).append(']');
      fill(name, element(node, i), shape, depth + 1, path, out, cursor, origin);
      path.setLength(mark);
    }
  }

  private static double number(Object node, String path, String origin) {
    if (node instanceof Number n) {
      return n.doubleValue();
    }
    if (node instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    if (length(node) >= 0) {
      throw new DataException(origin + ": " + path + " should be a number, found an array (too deeply nested)");
    }
    throw new DataException(origin + ": " + path + " should be a number, found " + (node == null ? "null" : "'" + node + "'"));
  }

  private static int length(Object o) {
    if (o instanceof List<?> l) {
      return l.size();
    }
    if (o instanceof double[] a) {
      return a.length;
    }
    if (o instanceof int[] a) {
      return a.length;
    }
    if (o instanceof long[] a) {
      return a.length;
    }
    if (o instanceof boolean[] a) {
      return a.length;
    }
    if (o instanceof Object[] a) {
      return a.length;
    }
    return -1;
  }

  private static Object element(Object o, int i) {
    if (o instanceof List<?> l) {
      return l.get(i);
    }
    if (o instanceof double[] a) {
      return a[i];
    }
    if (o instanceof int[] a) {
      return a[i];
    }
    if (o instanceof long[] a) {
      return a[i];
    }
    if (o instanceof boolean[] a) {
      return a[i];
    }
    return ((Object[]) o)[i];
  }
}
