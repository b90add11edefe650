package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** A numeric literal; {@code text} keeps the spelling for printing. */
public record NumberLit(SourceSpan span, double value, String text) implements Expr {
  public NumberLit {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(text, "text is null");
  }
}
