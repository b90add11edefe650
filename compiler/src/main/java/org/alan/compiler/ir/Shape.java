package org.alan.compiler.ir;

import java.util.Arrays;
import java.util.Optional;

/** An event shape: the extents of a value's own axes, outermost first. Broadcasting aligns shapes on the right. */
public record Shape(int[] dims) {
  public static final Shape SCALAR = new Shape(new int[0]);

  public Shape {
    dims = dims.clone();
    for (int d : dims) {
      if (d < 1) {
        throw new IllegalArgumentException("non-positive extent " + d);
      }
    }
  }

  public static Shape of(int... dims) {
    return dims.length == 0 ? SCALAR : new Shape(dims);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int axis) {
    return dims[axis];
  }

  /** Number of coordinates. */
  public int size() {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    return n;
  }

  public int last() {
    return dims[dims.length - 1];
  }

  /** This shape without its last axis. */
  public Shape dropLast() {
    return Shape.of(Arrays.copyOf(dims, dims.length - 1));
  }

  public Shape append(int extent) {
    int[] out = Arrays.copyOf(dims, dims.length + 1);
    out[dims.length] = extent;
    return Shape.of(out);
  }

  /** The numpy broadcast of two shapes, or empty when they are incompatible. */
  public static Optional<Shape> broadcast(Shape a, Shape b) {
    int rank = Math.max(a.rank(), b.rank());
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
      int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
      if (da != db && da != 1 && db != 1) {
        return Optional.empty();
      }
      out[i] = Math.max(da, db);
    }
    return Optional.of(Shape.of(out));
  }

  /** Whether this shape broadcasts to {@code target} without changing it. */
  public boolean broadcastsTo(Shape target) {
    return broadcast(this, target).map(target::equals).orElse(false);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(dims[i]);
    }
    return b.append(']').toString();
  }

  public int[] toArray() {
    return dims.clone();
  }
}
