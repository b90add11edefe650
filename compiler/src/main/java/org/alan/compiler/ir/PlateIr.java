package org.alan.compiler.ir;

import java.util.Objects;
import java.util.OptionalInt;
import org.alan.compiler.source.SourceSpan;

/**
 * A plate. Plate 0 is the top level (one element, no name in the source). {@code depth} is 0 for the top
 * level and grows by one per nesting.
 *
 * @param parent the plate it is nested in; for a plate of rows grouped by an index input, the plate the index
 *     points into (the rows of each of its elements form a ragged run)
 * @param indexInput the variable id of the index input that groups the plate's rows ({@code input county :
 *     counties;}), or -1
 * @param indexBase the index value naming the first element of the plate pointed into (1 unless declared)
 * @param ragged whether it is declared {@code plate NAME(ragged)} inside its parent: grouped like the rows of an
 *     index, by a hidden index the data binder makes from the nested arrays' lengths
 */
public record PlateIr(int id, String name, int parent, int depth, OptionalInt fixedSize, SourceSpan span,
    int indexInput, int indexBase, boolean ragged) {
  public static final int TOP = 0;

  public PlateIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(fixedSize, "fixedSize is null");
    Objects.requireNonNull(span, "span is null");
  }

  public PlateIr(int id, String name, int parent, int depth, OptionalInt fixedSize, SourceSpan span) {
    this(id, name, parent, depth, fixedSize, span, -1, 1, false);
  }

  /** The same plate, its rows grouped by index input {@code input} whose first element is named {@code base}. */
  public PlateIr withIndex(int input, int base) {
    return new PlateIr(id, name, parent, depth, fixedSize, span, input, base, ragged);
  }

  /** The same plate, ragged inside its parent, grouped by hidden index input {@code input}. */
  public PlateIr asRagged(int input) {
    return new PlateIr(id, name, parent, depth, fixedSize, span, input, 1, true);
  }

  /** The plate its statements are written in: the parent, or for rows grouped by an index, the parent's parent. */
  public int declaredIn(java.util.List<PlateIr> plates) {
    return grouped() && !ragged ? plates.get(parent).parent() : parent;
  }

  public boolean isTop() {
    return id == TOP;
  }

  /** Whether its rows are grouped by an index input into the elements of {@link #parent}. */
  public boolean grouped() {
    return indexInput >= 0;
  }
}
