package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

public record Identifier(SourceSpan span, String text) implements Node {
  public Identifier {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(text, "text is null");
  }
}
