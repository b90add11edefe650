package org.alan.compiler.ir;

/** Reductions over trailing event axes. */
public enum ReduceOp {
  SUM, MIN, MAX,
  /** log sum exp, max-subtracted. */
  LOGSUMEXP
}
