package org.alan.compiler.ir;

/** Elementwise two-argument operations. */
public enum BinaryOp {
  ADD("+"), SUB("-"), MUL("*"), DIV("/"), POW("^"), MIN("min"), MAX("max"),
  /** x * log(y), defined as 0 where x == 0 (so 0 * log 0 = 0, as in densities of discrete values). */
  XLOGY("xlogy"),
  /** x * log1p(y), 0 where x == 0. */
  XLOG1PY("xlog1py"),
  /** log(n choose k) for a count n and a value k: minus infinity outside 0 <= k <= n (an impossible value). */
  LOG_CHOOSE("lchoose"),
  /**
   * masked(m, x): x where the 0/1 mask m is 1, exactly 0 where it is 0 (not 0 * x, which is NaN for an infinite or
   * NaN x): the observations a lag without an initial value leaves out.
   */
  MASKED("masked");

  private final String symbol;

  BinaryOp(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  public boolean isInfix() {
    return ordinal() <= POW.ordinal();
  }
}
