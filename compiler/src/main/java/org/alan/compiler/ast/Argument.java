package org.alan.compiler.ast;

import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/** A positional ({@code expr}) or named ({@code logits = expr}) argument. */
public record Argument(SourceSpan span, Optional<Identifier> name, Expr value) implements Node {
  public Argument {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(value, "value is null");
  }
}
