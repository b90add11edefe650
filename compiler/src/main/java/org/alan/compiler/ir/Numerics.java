package org.alan.compiler.ir;

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
      case SIGMOID -> org.alan.runtime.math.AlanMath.sigmoid(x);
      case SOFTPLUS -> org.alan.runtime.math.AlanMath.softplus(x);
      case SQUARE -> x * x;
      case RECIPROCAL -> 1.0 / x;
      case LGAMMA -> org.alan.runtime.math.AlanMath.lgamma(x);
      case LOG_SIGMOID -> org.alan.runtime.math.AlanMath.logSigmoid(x);
      case LOG_STEP -> org.alan.runtime.math.AlanMath.logStep(x);
      case CHECK_POSITIVE -> org.alan.runtime.math.AlanMath.checkPositive(x);
      case CHECK_NONNEGATIVE -> org.alan.runtime.math.AlanMath.checkNonNegative(x);
      case CHECK_UNIT -> org.alan.runtime.math.AlanMath.checkUnit(x);
      case CHECK_COUNT -> org.alan.runtime.math.AlanMath.checkCount(x);
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
      case XLOGY -> org.alan.runtime.math.AlanMath.xlogy(x, y);
      case XLOG1PY -> org.alan.runtime.math.AlanMath.xlog1py(x, y);
      case LOG_CHOOSE -> org.alan.runtime.math.AlanMath.logChoose(x, y);
    };
  }
}
