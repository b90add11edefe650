package org.alan.compiler.ir;

import java.util.Optional;
import org.alan.compiler.diag.InternalCompilerError;

/**
 * Smart constructors for {@link Ex}: they compute shapes, fold constants and apply the algebraic rewrites
 * that make later hoisting effective ({@code log(exp(x)) = x}, {@code a / b = a * (1/b)} so that {@code 1/b}
 * can be computed at the loop level of {@code b}, sums distributed over additions). Callers have checked shapes
 * already; a mismatch here is a compiler bug.
 */
public final class Exprs {
  private Exprs() {}

  public static Ex constant(double v) {
    return new Ex.Const(v);
  }

  public static Ex unary(UnaryOp op, Ex a) {
    if (a instanceof Ex.Const c) {
      return constant(Numerics.apply(op, c.value()));
    }
    switch (op) {
      case NEG:
        if (a instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
          return u.arg();
        }
        break;
      case LOG:
        if (a instanceof Ex.Unary u) {
          switch (u.op()) {
            case EXP: return u.arg();
            case RECIPROCAL: return neg(unary(UnaryOp.LOG, u.arg()));
            case SQRT: return mul(constant(0.5), unary(UnaryOp.LOG, u.arg()));
            case SIGMOID: return unary(UnaryOp.LOG_SIGMOID, u.arg());
            case SQUARE: return mul(constant(2), unary(UnaryOp.LOG, unary(UnaryOp.ABS, u.arg())));
            default: break;
          }
        }
        break;
      case RECIPROCAL:
        if (a instanceof Ex.Unary u && u.op() == UnaryOp.RECIPROCAL) {
          return u.arg();
        }
        if (a instanceof Ex.Unary u && u.op() == UnaryOp.EXP) {
          return unary(UnaryOp.EXP, neg(u.arg()));
        }
        break;
      case SQUARE:
        if (a instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
          return unary(UnaryOp.SQUARE, u.arg());
        }
        if (a instanceof Ex.Unary u && u.op() == UnaryOp.SQRT) {
          return u.arg();
        }
        break;
      default:
        break;
    }
    return new Ex.Unary(op, a);
  }

  public static Ex neg(Ex a) {
    return unary(UnaryOp.NEG, a);
  }

  public static Ex log(Ex a) {
    return unary(UnaryOp.LOG, a);
  }

  public static Ex binary(BinaryOp op, Ex a, Ex b) {
    Shape shape = Shape.broadcast(a.shape(), b.shape())
        .orElseThrow(() -> new InternalCompilerError("shapes " + a.shape() + " and " + b.shape() + " do not broadcast"));
    if (a instanceof Ex.Const ca && b instanceof Ex.Const cb) {
      return constant(Numerics.apply(op, ca.value(), cb.value()));
    }
    switch (op) {
      case ADD:
        if (isConst(a, 0) && b.shape().equals(shape)) {
          return b;
        }
        if (isConst(b, 0) && a.shape().equals(shape)) {
          return a;
        }
        if (b instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
          return binary(BinaryOp.SUB, a, u.arg());
        }
        break;
      case SUB:
        if (isConst(b, 0) && a.shape().equals(shape)) {
          return a;
        }
        if (isConst(a, 0) && b.shape().equals(shape)) {
          return neg(b);
        }
        if (b instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
          return binary(BinaryOp.ADD, a, u.arg());
        }
        break;
      case MUL:
        if (isConst(a, 1) && b.shape().equals(shape)) {
          return b;
        }
        if (isConst(b, 1) && a.shape().equals(shape)) {
          return a;
        }
        if (isConst(a, -1) && b.shape().equals(shape)) {
          return neg(b);
        }
        if (isConst(b, -1) && a.shape().equals(shape)) {
          return neg(a);
        }
        break;
      case DIV:
        if (isConst(b, 1) && a.shape().equals(shape)) {
          return a;
        }
        // a / b = a * (1/b): 1/b then hoists to the loops b depends on
        return binary(BinaryOp.MUL, a, unary(UnaryOp.RECIPROCAL, b));
      case POW:
        if (b instanceof Ex.Const c && a.shape().equals(shape)) {
          if (c.value() == 1) {
            return a;
          }
          if (c.value() == 2) {
            return unary(UnaryOp.SQUARE, a);
          }
          if (c.value() == 0.5) {
            return unary(UnaryOp.SQRT, a);
          }
          if (c.value() == -1) {
            return unary(UnaryOp.RECIPROCAL, a);
          }
        }
        break;
      default:
        break;
    }
    return new Ex.Binary(op, a, b, shape);
  }

  public static Ex add(Ex a, Ex b) {
    return binary(BinaryOp.ADD, a, b);
  }

  public static Ex sub(Ex a, Ex b) {
    return binary(BinaryOp.SUB, a, b);
  }

  public static Ex mul(Ex a, Ex b) {
    return binary(BinaryOp.MUL, a, b);
  }

  public static Ex div(Ex a, Ex b) {
    return binary(BinaryOp.DIV, a, b);
  }

  /** Reduces the last {@code axes} axes of {@code a}. */
  public static Ex reduce(ReduceOp op, Ex a, int axes) {
    if (axes == 0) {
      return a;
    }
    Shape s = a.shape();
    if (axes > s.rank()) {
      throw new InternalCompilerError("reducing " + axes + " axes of a value of shape " + s);
    }
    int[] kept = new int[s.rank() - axes];
    System.arraycopy(s.toArray(), 0, kept, 0, kept.length);
    return new Ex.Reduce(op, a, axes, Shape.of(kept));
  }

  /**
   * The sum of {@code a} broadcast to {@code target} over all coordinates of {@code target}, distributed over
   * sums and differences so that each term is reduced over its own axes only: {@code sum_e (a_e + b)} becomes
   * {@code sum_e a_e + n * b}. This is what lets the constant parts of a log density leave the inner loops.
   */
  public static Ex sumOver(Ex a, Shape target) {
    if (!a.shape().broadcastsTo(target)) {
      throw new InternalCompilerError("cannot sum a value of shape " + a.shape() + " over " + target);
    }
    if (a instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB)) {
      return binary(b.op(), sumOver(b.left(), target), sumOver(b.right(), target));
    }
    if (a instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
      return neg(sumOver(u.arg(), target));
    }
    if (a instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.left() instanceof Ex.Const c) {
      return mul(c, sumOver(b.right(), target));
    }
    double multiplicity = (double) target.size() / a.shape().size();
    Ex own = reduce(ReduceOp.SUM, a, a.shape().rank());
    return multiplicity == 1 ? own : mul(constant(multiplicity), own);
  }

  /** {@code a} with its shape broadcast to {@code target} by adding zero of that shape, when it is not already. */
  public static Optional<Shape> broadcast(Ex a, Ex b) {
    return Shape.broadcast(a.shape(), b.shape());
  }

  /**
   * A scalar sum with like terms collected: {@code c1 * t + c2 * t} becomes {@code (c1 + c2) * t} and terms that
   * cancel vanish. {@code log P - log Q} of a variable proposed by its own prior is then exactly 0.
   */
  public static Ex collectTerms(Ex sum) {
    java.util.Map<Ex, Double> terms = new java.util.LinkedHashMap<>();
    double constant = collect(sum, 1.0, terms);
    Ex out = constant(constant);
    for (java.util.Map.Entry<Ex, Double> t : terms.entrySet()) {
      double c = t.getValue();
      if (c != 0) {
        out = add(out, c == 1 ? t.getKey() : mul(constant(c), t.getKey()));
      }
    }
    return out;
  }

  private static double collect(Ex e, double sign, java.util.Map<Ex, Double> terms) {
    if (e instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB) && b.shape().rank() == 0) {
      return collect(b.left(), sign, terms) + collect(b.right(), b.op() == BinaryOp.ADD ? sign : -sign, terms);
    }
    if (e instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
      return collect(u.arg(), -sign, terms);
    }
    if (e instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.left() instanceof Ex.Const c
        && b.right().shape().rank() == 0) {
      return collect(b.right(), sign * c.value(), terms);
    }
    if (e instanceof Ex.Const c) {
      return sign * c.value();
    }
    terms.merge(e, sign, Double::sum);
    return 0;
  }

  public static Ex select(Ex vector, Ex index) {
    Shape batch = Shape.broadcast(vector.shape().dropLast(), index.shape())
        .orElseThrow(() -> new InternalCompilerError("select shapes " + vector.shape() + ", " + index.shape()));
    return new Ex.Select(vector, index, batch);
  }

  private static boolean isConst(Ex e, double v) {
    return e instanceof Ex.Const c && c.value() == v;
  }
}
