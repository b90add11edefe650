package org.alan.compiler.ast;

import java.util.List;
import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * {@code name(args)}: a distribution after {@code ~}, a function ({@code exp}, {@code dot}) or a guide
 * parameter marker ({@code qem}, {@code learn}) inside an expression.
 *
 * @param bar the index of the argument a {@code |} comes before ({@code normal_lpdf(y | mu, sigma)}: 1), {@link
 *     #NO_BAR}, or {@link #BARS}
 */
public record Call(SourceSpan span, Identifier function, List<Argument> arguments, int bar) implements Expr {
  /** No {@code |} among the arguments. */
  public static final int NO_BAR = -1;
  /** More than one {@code |}, which no call takes. */
  public static final int BARS = -2;

  public Call(SourceSpan span, Identifier function, List<Argument> arguments) {
    this(span, function, arguments, NO_BAR);
  }

  public Call {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(function, "function is null");
    arguments = List.copyOf(arguments);
  }
}
