package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code NAME[shape] ~ Dist(...);}: a latent variable (in a model) or its proposal (in a guide). */
public record LatentStmt(SourceSpan span, Identifier name, List<IntLiteral> shape, Call distribution,
    java.util.Optional<Truncation> truncation)
    implements Statement {
  public LatentStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    shape = List.copyOf(shape);
    Objects.requireNonNull(distribution, "distribution is null");
    Objects.requireNonNull(truncation, "truncation is null");
  }
}
