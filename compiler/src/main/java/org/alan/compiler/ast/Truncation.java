package org.alan.compiler.ast;

import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code T[lower, upper]} after a distribution, either bound left out: Stan's truncation.
 *
 * @param marker the identifier before the bracket, which the checker requires to be {@code T}
 */
public record Truncation(SourceSpan span, Identifier marker, Optional<Expr> lower, Optional<Expr> upper)
    implements Node {
  public Truncation {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(marker, "marker is null");
    Objects.requireNonNull(lower, "lower is null");
    Objects.requireNonNull(upper, "upper is null");
  }
}
