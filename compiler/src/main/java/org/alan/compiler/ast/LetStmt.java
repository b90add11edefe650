package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code let NAME = expr;}: a deterministic value, substituted where it is used. */
public record LetStmt(SourceSpan span, Identifier name, Expr value) implements Statement {
  public LetStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(value, "value is null");
  }
}
