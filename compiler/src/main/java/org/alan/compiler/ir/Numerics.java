package org.alan.compiler.ir;

import org.alan.runtime.math.AlanMath;

/** Compile-time evaluation of operations on constants; the same definitions as the runtime's {@code AlanMath}. */
final class Numerics {
  private Numerics() {}

  static double apply(UnaryOp op, double x) {
    return switch (op) {
      case NEG -> -x;
      case EXP -> Math.exp(x);
      case LOG -> Math.log(x);
      case LOG1P -> Math.log1p(x);
      case EXPM1 -> Math.expm1(x);
      case SQRT -> Math.sqrt(x);
      case ABS -> Math.abs(x);
      case SIGMOID -> AlanMath.sigmoid(x);
      case SOFTPLUS -> AlanMath.softplus(x);
      case SQUARE -> x * x;
      case LOG1P_SQUARE -> AlanMath.log1pSquare(x);
      case RECIPROCAL -> 1.0 / x;
      case LGAMMA -> AlanMath.lgamma(x);
      case LOG_SIGMOID -> AlanMath.logSigmoid(x);
      case PHI -> AlanMath.phi(x);
      case LOG_PHI -> AlanMath.logPhi(x);
      case LOG_STEP -> AlanMath.logStep(x);
      case CHECK_POSITIVE -> AlanMath.checkPositive(x);
      case CHECK_NONNEGATIVE -> AlanMath.checkNonNegative(x);
      case CHECK_UNIT -> AlanMath.checkUnit(x);
      case CHECK_COUNT -> AlanMath.checkCount(x);
    };
  }

  static double apply(BinaryOp op, double x, double y) {
    return switch (op) {
      case ADD -> x + y;
      case SUB -> x - y;
      case MUL -> x * y;
      case DIV -> x / y;
      case POW -> Math.pow(x, y);
      case MIN -> Math.min(x, y);
      case MAX -> Math.max(x, y);
      case XLOGY -> AlanMath.xlogy(x, y);
      case XLOG1PY -> AlanMath.xlog1py(x, y);
      case LOG_CHOOSE -> AlanMath.logChoose(x, y);
      case MASKED -> x != 0 ? y : 0;
    };
  }
}
