package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/** {@code plate NAME { ... }} or {@code plate NAME(8) { ... }}: a block replicated over the plate's elements. */
public record PlateStmt(SourceSpan span, Identifier name, Optional<IntLiteral> size, List<Statement> body)
    implements Statement {
  public PlateStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(size, "size is null");
    body = List.copyOf(body);
  }
}
