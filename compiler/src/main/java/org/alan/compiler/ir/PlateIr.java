package org.alan.compiler.ir;

import java.util.Objects;
import java.util.OptionalInt;
import org.alan.compiler.source.SourceSpan;

/**
 * A plate. Plate 0 is the top level (one element, no name in the source). {@code depth} is 0 for the top
 * level and grows by one per nesting.
 */
public record PlateIr(int id, String name, int parent, int depth, OptionalInt fixedSize, SourceSpan span) {
  public static final int TOP = 0;

  public PlateIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(fixedSize, "fixedSize is null");
    Objects.requireNonNull(span, "span is null");
  }

  public boolean isTop() {
    return id == TOP;
  }
}
