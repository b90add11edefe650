package org.alan.compiler.ast;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/** {@code left op right} for {@code + - * / ^} and the comparisons, which give 1 where true and 0 elsewhere. */
public record Binary(SourceSpan span, Op op, Expr left, Expr right) implements Expr {
  public enum Op {
    ADD("+", 1), SUB("-", 1), MUL("*", 2), DIV("/", 2), POW("^", 4),
    LT("<", 0), LE("<=", 0), GT(">", 0), GE(">=", 0), EQ("==", 0), NE("!=", 0);

    private final String symbol;
    private final int precedence;

    Op(String symbol, int precedence) {
      this.symbol = symbol;
      this.precedence = precedence;
    }

    public String symbol() {
      return symbol;
    }

    /** Binding strength for printing; unary minus sits at 3, between {@code *} and {@code ^}. */
    public int precedence() {
      return precedence;
    }
  }

  public Binary {
    Objects.requireNonNull(span, "span is null");
    Objects.requireNonNull(op, "op is null");
    Objects.requireNonNull(left, "left is null");
    Objects.requireNonNull(right, "right is null");
  }
}
