package org.alan.compiler.ir;

/** Elementwise one-argument operations, with how each is spelled in generated Java. */
public enum UnaryOp {
  NEG, EXP, LOG, LOG1P, EXPM1, SQRT, ABS, SIGMOID, SOFTPLUS,
  /** x * x. */
  SQUARE,
  /** log(1 + x * x), finite for every finite x (x * x overflows beyond 1e154): Cauchy and Student-t densities. */
  LOG1P_SQUARE,
  /** 1 / x. */
  RECIPROCAL,
  /** log Gamma(x). */
  LGAMMA,
  /** The standard normal CDF, Stan's {@code Phi} (probit models). */
  PHI,
  /** log Phi(x), accurate deep in the lower tail (where Phi underflows). */
  LOG_PHI,
  /** log sigmoid(x), stable for large |x|. */
  LOG_SIGMOID,
  /** 0 where x >= 0, minus infinity elsewhere: the log of a support indicator. */
  LOG_STEP,
  /**
   * The parameter checks: 0 where a distribution's parameter is valid, NaN elsewhere. Added to a log density they
   * turn an invalid parameter into a NaN factor, which inference reports by variable and element, where the formula
   * alone would give a finite, wrong number (a Poisson with a negative rate at x = 0).
   */
  CHECK_POSITIVE,
  /** 0 where x >= 0, NaN elsewhere. */
  CHECK_NONNEGATIVE,
  /** 0 where 0 <= x <= 1, NaN elsewhere. */
  CHECK_UNIT,
  /** 0 where x is a non-negative integer, NaN elsewhere. */
  CHECK_COUNT
}
