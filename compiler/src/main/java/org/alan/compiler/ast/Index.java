package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code base[index]}: a variable of another plate read at the element an index input names. */
public record Index(SourceSpan span, Expr base, Expr index) implements Expr {
  public Index {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(base, "base is null");
    Objects.requireNonNull(index, "index is null");
  }
}
