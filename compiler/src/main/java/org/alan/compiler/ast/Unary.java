package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** Unary minus. */
public record Unary(SourceSpan span, Expr operand) implements Expr {
  public Unary {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(operand, "operand is null");
  }
}
