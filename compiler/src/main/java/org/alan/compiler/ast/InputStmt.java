package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code input NAME[shape];}: a covariate given with the data, one value per element of its plates. With
 * {@code : PLATE} it is an index into that plate ({@code input county : counties;}).
 */
public record InputStmt(SourceSpan span, Identifier name, List<IntLiteral> shape, Optional<IndexTarget> index)
    implements Statement {
  public InputStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(index, "index is null");
    shape = List.copyOf(shape);
  }

  /**
   * {@code : PLATE} or {@code : PLATE(base = 0)}: the plate the index points into, and the value that names its
   * first element (1 unless given).
   *
   * @param option the option's name as written ({@code base}), or null when there is none
   */
  public record IndexTarget(SourceSpan span, Identifier plate, Identifier option, NumberLit value) {
    public IndexTarget {
      Objects.requireNonNull(span, "span is null");
      Objects.requireNonNull(plate, "plate is null");
    }
  }
}
