package org.alan.compiler.ast;

import java.util.Objects;
import java.util.Optional;
import org.alan.compiler.source.SourceSpan;

/** {@code x[2:4]}, {@code x[:3]}, {@code x[2:]}: coordinates of a vector, from 1, both ends included (Stan's). */
public record Slice(SourceSpan span, Expr base, Optional<Expr> lower, Optional<Expr> upper) implements Expr {
  public Slice {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(base, "base is null");
    Objects.requireNonNull(lower, "lower is null");
    Objects.requireNonNull(upper, "upper is null");
  }
}
