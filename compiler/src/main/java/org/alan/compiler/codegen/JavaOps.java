package org.alan.compiler.codegen;

import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.UnaryOp;

/** How IR operations and constants are spelled in generated Java. Operands are locals, literals or loads. */
final class JavaOps {
  private JavaOps() {}

  static final String MATH = "org.alan.runtime.math.AlanMath";

  static String literal(double v) {
    if (Double.isNaN(v)) {
      return "Double.NaN";
    }
    if (v == Double.POSITIVE_INFINITY) {
      return "Double.POSITIVE_INFINITY";
    }
    if (v == Double.NEGATIVE_INFINITY) {
      return "Double.NEGATIVE_INFINITY";
    }
    String s = Double.toString(v);
    return v < 0 || (v == 0 && 1 / v < 0) ? "(" + s + ")" : s;
  }

  static String unary(UnaryOp op, String a) {
    return switch (op) {
      case NEG -> "(-" + a + ")";
      case EXP -> "Math.exp(" + a + ")";
      case LOG -> "Math.log(" + a + ")";
      case LOG1P -> "Math.log1p(" + a + ")";
      case EXPM1 -> "Math.expm1(" + a + ")";
      case SQRT -> "Math.sqrt(" + a + ")";
      case ABS -> "Math.abs(" + a + ")";
      case SIGMOID -> MATH + ".sigmoid(" + a + ")";
      case SOFTPLUS -> MATH + ".softplus(" + a + ")";
      case SQUARE -> "(" + a + " * " + a + ")";
      case LOG1P_SQUARE -> MATH + ".log1pSquare(" + a + ")";
      case RECIPROCAL -> "(1.0 / " + a + ")";
      case LGAMMA -> MATH + ".lgamma(" + a + ")";
      case LOG_SIGMOID -> MATH + ".logSigmoid(" + a + ")";
      case PHI -> MATH + ".phi(" + a + ")";
      case LOG_PHI -> MATH + ".logPhi(" + a + ")";
      case LOG_STEP -> MATH + ".logStep(" + a + ")";
      case CHECK_POSITIVE -> MATH + ".checkPositive(" + a + ")";
      case CHECK_NONNEGATIVE -> MATH + ".checkNonNegative(" + a + ")";
      case CHECK_UNIT -> MATH + ".checkUnit(" + a + ")";
      case CHECK_COUNT -> MATH + ".checkCount(" + a + ")";
    };
  }

  static String binary(BinaryOp op, String a, String b) {
    return switch (op) {
      case ADD -> "(" + a + " + " + b + ")";
      case SUB -> "(" + a + " - " + b + ")";
      case MUL -> "(" + a + " * " + b + ")";
      case DIV -> "(" + a + " / " + b + ")";
      case POW -> "Math.pow(" + a + ", " + b + ")";
      case MIN -> "Math.min(" + a + ", " + b + ")";
      case MAX -> "Math.max(" + a + ", " + b + ")";
      case XLOGY -> MATH + ".xlogy(" + a + ", " + b + ")";
      case XLOG1PY -> MATH + ".xlog1py(" + a + ", " + b + ")";
      case LOG_CHOOSE -> MATH + ".logChoose(" + a + ", " + b + ")";
      case MASKED -> "(" + a + " != 0.0 ? " + b + " : 0.0)";
    };
  }

  /** Whether an operation is cheap enough to recompute (no transcendental call). */
  static boolean cheap(UnaryOp op) {
    return op == UnaryOp.NEG || op == UnaryOp.SQUARE || op == UnaryOp.ABS || op == UnaryOp.RECIPROCAL;
  }
}
