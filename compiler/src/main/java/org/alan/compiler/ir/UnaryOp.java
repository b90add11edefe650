package org.alan.compiler.ir;

/** Elementwise one-argument operations, with how each is spelled in generated Java. */
public enum UnaryOp {
  NEG, EXP, LOG, LOG1P, EXPM1, SQRT, ABS, SIGMOID, SOFTPLUS,
  /** x * x. */
  SQUARE,
  /** 1 / x. */
  RECIPROCAL,
  /** log Gamma(x). */
  LGAMMA,
  /** log sigmoid(x), stable for large |x|. */
  LOG_SIGMOID,
  /** 0 where x >= 0, minus infinity elsewhere: the log of a support indicator. */
  LOG_STEP
}
