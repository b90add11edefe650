package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code input NAME[shape];}: a covariate given with the data, one value per element of its plates. */
public record InputStmt(SourceSpan span, Identifier name, List<IntLiteral> shape) implements Statement {
  public InputStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    shape = List.copyOf(shape);
  }
}
