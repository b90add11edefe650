package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** A use of a variable, input or let by name. */
public record NameRef(SourceSpan span, String name) implements Expr {
  public NameRef {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
  }
}
