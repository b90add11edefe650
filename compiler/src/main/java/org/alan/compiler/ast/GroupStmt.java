package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code group NAME { ... }} in a guide: the members are sampled jointly and share one K dimension. */
public record GroupStmt(SourceSpan span, Identifier name, List<Statement> body) implements Statement {
  public GroupStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    body = List.copyOf(body);
  }
}
