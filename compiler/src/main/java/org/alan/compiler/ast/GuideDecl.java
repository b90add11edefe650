package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

public record GuideDecl(SourceSpan span, Identifier name, List<Statement> body) implements Declaration {
  public GuideDecl {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    body = List.copyOf(body);
  }
}
