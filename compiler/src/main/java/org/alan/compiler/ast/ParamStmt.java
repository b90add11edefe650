package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code param NAME[shape] = init;}: a learnable parameter of the model (spec section 1.3's {@code OptParam} in
 * P), one value per element of its plates and coordinate of its shape, fitted by VI or RWS.
 */
public record ParamStmt(SourceSpan span, Identifier name, List<IntLiteral> shape, Expr init) implements Statement {
  public ParamStmt {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(name, "name is null");
    shape = List.copyOf(shape);
    Objects.requireNonNull(init, "init is null");
  }
}
