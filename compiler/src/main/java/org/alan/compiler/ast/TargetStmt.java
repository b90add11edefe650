package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code target += expr;}: Stan's increment of the log density, with a term the model adds at each element of the
 * plate it is in (a custom likelihood, a mixture marginalised with {@code log_mix}, a censored observation's
 * {@code normal_lccdf}).
 *
 * @param name the identifier before {@code +=}, which the checker requires to be {@code target}
 */
public record TargetStmt(SourceSpan span, Identifier name, Expr value) implements Statement {
  public TargetStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(value, "value is null");
  }
}
