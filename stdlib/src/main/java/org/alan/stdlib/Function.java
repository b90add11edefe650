package org.alan.stdlib;

import java.util.Arrays;
import java.util.Optional;

/**
 * The functions callable in {@code .alan} expressions. Elementwise functions broadcast over event shapes;
 * {@code dot} and the one-argument forms of {@code sum}, {@code min} and {@code max} reduce over event axes.
 */
public enum Function {
  EXP("exp", 1, 1, "e to the power x"),
  LOG("log", 1, 1, "natural logarithm"),
  LOG1P("log1p", 1, 1, "log(1 + x), accurate near 0"),
  EXPM1("expm1", 1, 1, "exp(x) - 1, accurate near 0"),
  SQRT("sqrt", 1, 1, "square root"),
  ABS("abs", 1, 1, "absolute value"),
  POW("pow", 2, 2, "x to the power y"),
  SIGMOID("sigmoid", 1, 1, "1 / (1 + exp(-x))"),
  SOFTPLUS("softplus", 1, 1, "log(1 + exp(x)), stable"),
  DOT("dot", 2, 2, "sum over the last axis of x * y"),
  SUM("sum", 1, 1, "sum over all event axes"),
  MIN("min", 1, 2, "min(x, y) elementwise, or min(x) over all event axes"),
  MAX("max", 1, 2, "max(x, y) elementwise, or max(x) over all event axes"),
  INV_LOGIT("inv_logit", 1, 1, "1 / (1 + exp(-x)), as Stan names sigmoid"),
  LOG_INV_LOGIT("log_inv_logit", 1, 1, "log(inv_logit(x)) = -softplus(-x), stable"),
  LOG1M_INV_LOGIT("log1m_inv_logit", 1, 1, "log(1 - inv_logit(x)) = -softplus(x), stable"),
  LOGIT("logit", 1, 1, "log(x / (1 - x))"),
  SQUARE("square", 1, 1, "x * x"),
  INV("inv", 1, 1, "1 / x"),
  FMA("fma", 3, 3, "x * y + z"),
  LOG_SUM_EXP("log_sum_exp", 2, 2, "log(exp(x) + exp(y)), stable"),
  LOG_MIX("log_mix", 3, 3, "log(theta exp(a) + (1 - theta) exp(b)), stable: a two-component mixture's log density"),
  LOG1M("log1m", 1, 1, "log(1 - x), accurate near 0"),
  LOG10("log10", 1, 1, "the base-10 logarithm"),
  LOG2("log2", 1, 1, "the base-2 logarithm"),
  IF_ELSE("if_else", 3, 3, "a where c is 1, b where c is 0 (c a comparison; both a and b are evaluated)"),
  PHI("Phi", 1, 1, "the standard normal CDF (probit)"),
  PHI_APPROX("Phi_approx", 1, 1, "inv_logit(0.07056 x^3 + 1.5976 x), Stan's approximation of Phi"),
  /**
   * lag(x, k) or lag(x, k, init): x at the element k before along its plate, for x computed from inputs and
   * observed data; the first k elements take init, or without one the observations that read it start after them.
   */
  LAG("lag", 2, 3, "x at the element k before along its plate (lag(x, k, init) gives the first k elements init;"
      + " without init, observations reading it start at element k + 1)"),
  /** cumsum(x): the running sum of x along its plate, for x computed from inputs and observed data. */
  CUMSUM("cumsum", 1, 1, "the running sum of x along its plate, up to and including the element");

  private final String alanName;
  private final int minArity;
  private final int maxArity;
  private final String doc;

  Function(String alanName, int minArity, int maxArity, String doc) {
    this.alanName = alanName;
    this.minArity = minArity;
    this.maxArity = maxArity;
    this.doc = doc;
  }

  public String alanName() {
    return alanName;
  }

  public int minArity() {
    return minArity;
  }

  public int maxArity() {
    return maxArity;
  }

  /** One-line documentation, for completion lists and error notes. */
  public String doc() {
    return doc;
  }

  /** Whether this function transforms data along a plate (computed once when the data are bound). */
  public boolean isPlateTransform() {
    return this == LAG || this == CUMSUM;
  }

  public static Optional<Function> byName(String name) {
    return Arrays.stream(values()).filter(f -> f.alanName.equals(name)).findFirst();
  }
}
