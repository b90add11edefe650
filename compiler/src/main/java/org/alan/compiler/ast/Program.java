package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** A whole {@code .alan} file: its model and guide blocks, in source order. */
public record Program(SourceSpan span, List<Declaration> declarations) implements Node {
  public Program {
    Objects.requireNonNull(span, "span is null");
    declarations = List.copyOf(declarations);
  }
}
