package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code [1, 2.5, -3]}: a vector written out, such as a Dirichlet's concentration. */
public record VectorLit(SourceSpan span, List<Expr> elements) implements Expr {
  public VectorLit {
    Objects.requireNonNull(span, "span is null");
    elements = List.copyOf(elements);
  }
}
