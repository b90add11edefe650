package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** A positive integer written in the source: a plate size or an event-shape extent. */
public record IntLiteral(SourceSpan span, int value) implements Node {
  public IntLiteral {
    Objects.requireNonNull(span, "span is null");
  }
}
