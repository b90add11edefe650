package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code data NAME[shape] ~ Dist(...);}: an observed variable. */
public record DataStmt(SourceSpan span, Identifier name, List<IntLiteral> shape, Call distribution,
    java.util.Optional<Truncation> truncation)
    implements Statement {
  public DataStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    shape = List.copyOf(shape);
    Objects.requireNonNull(distribution, "distribution is null");
    Objects.requireNonNull(truncation, "truncation is null");
  }
}
