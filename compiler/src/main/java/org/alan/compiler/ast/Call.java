package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code name(args)}: a distribution after {@code ~}, a function ({@code exp}, {@code dot}) or a guide
 * parameter marker ({@code qem}, {@code learn}) inside an expression.
 */
public record Call(SourceSpan span, Identifier function, List<Argument> arguments) implements Expr {
  public Call {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(function, "function is null");
    arguments = List.copyOf(arguments);
  }
}
