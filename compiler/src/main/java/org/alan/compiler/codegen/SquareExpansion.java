package org.alan.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.function.Function;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.ReduceOp;
import org.alan.compiler.ir.UnaryOp;

/**
 * Rewrites {@code sum_e ((a_e - b_e) r_e)^2} as {@code sum a^2 r^2 - 2 sum a (b r^2) + sum b^2 r^2} when
 * {@code a} and {@code b} depend on different K dimensions (engine-design section 5). The squared form costs
 * several operations per entry of the full index space; after the rewrite the first and last sums depend on fewer
 * dimensions (the kernel computes them once per smaller signature) and the middle one is a product of a value
 * fixed per row and an array over the row: one multiply-add per entry, over a long contiguous loop. This is the
 * Normal (and LogNormal) log density of a vector latent whose location and scale come from other latents.
 *
 * <p>Precision: the expanded form subtracts large terms when |a r| is far above 1 (beyond about 1e6 it loses
 * digits that matter to importance weights). Latents on that scale would need centring first.
 */
final class SquareExpansion {
  /** Shorter event sums gain nothing from the rewrite. */
  private static final int MIN_EXTENT = 4;

  private final Function<Ex, SortedSet<Integer>> kdims;
  private final int[] rank;

  private SquareExpansion(Function<Ex, SortedSet<Integer>> kdims, int[] rank) {
    this.kdims = kdims;
    this.rank = rank;
  }

  /** The factor expression with every eligible event sum expanded. */
  static Ex rewrite(Ex factor, Function<Ex, SortedSet<Integer>> kdims, int[] rank) {
    List<ExprCodegen.Term> terms = new ArrayList<>();
    ExprCodegen.flattenSum(factor, 1.0, terms);
    SquareExpansion x = new SquareExpansion(kdims, rank);
    Ex out = Exprs.constant(0);
    for (ExprCodegen.Term t : terms) {
      out = Exprs.add(out, Exprs.mul(Exprs.constant(t.coefficient()), x.expandSum(t.node())));
    }
    return out;
  }

  private Ex expandSum(Ex e) {
    if (!(e instanceof Ex.Reduce r) || r.op() != ReduceOp.SUM || r.shape().rank() != 0
        || r.axes() != r.arg().shape().rank() || r.arg().shape().size() < MIN_EXTENT) {
      return e;
    }
    List<ExprCodegen.Term> parts = new ArrayList<>();
    flattenElementwise(r.arg(), 1.0, parts);
    boolean changed = false;
    Ex total = Exprs.constant(0);
    for (ExprCodegen.Term p : parts) {
      Ex expanded = expandSquare(p.node());
      changed |= expanded != null;
      Ex body = expanded != null ? expanded : p.node();
      total = Exprs.add(total, Exprs.mul(Exprs.constant(p.coefficient()), Exprs.sumOver(body, r.arg().shape())));
    }
    return changed ? total : e;
  }

  /** Like {@link ExprCodegen#flattenSum} for values with an event shape. */
  private static void flattenElementwise(Ex e, double sign, List<ExprCodegen.Term> out) {
    if (e instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB)) {
      flattenElementwise(b.left(), sign, out);
      flattenElementwise(b.right(), b.op() == BinaryOp.ADD ? sign : -sign, out);
    } else if (e instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
      flattenElementwise(u.arg(), -sign, out);
    } else if (e instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.left() instanceof Ex.Const c) {
      flattenElementwise(b.right(), sign * c.value(), out);
    } else {
      out.add(new ExprCodegen.Term(sign, e));
    }
  }

  /**
   * {@code ((a - b) r)^2} or {@code (a - b)^2}, with {@code a} and {@code b} on different dimensions, as the sum of
   * three terms; null when the pattern does not apply.
   */
  private Ex expandSquare(Ex e) {
    if (!(e instanceof Ex.Unary sq) || sq.op() != UnaryOp.SQUARE) {
      return null;
    }
    Ex inner = sq.arg();
    Ex scale = null;
    if (inner instanceof Ex.Binary m && m.op() == BinaryOp.MUL && m.left() instanceof Ex.Binary d
        && d.op() == BinaryOp.SUB) {
      scale = m.right();
      inner = d;
    }
    if (!(inner instanceof Ex.Binary d) || d.op() != BinaryOp.SUB) {
      return null;
    }
    Ex a = d.left();
    Ex b = d.right();
    SortedSet<Integer> ka = kdims.apply(a);
    SortedSet<Integer> kb = kdims.apply(b);
    if (ka.isEmpty() || kb.isEmpty() || ka.containsAll(kb) || kb.containsAll(ka)) {
      return null;
    }
    // the factor whose dimensions come first in the plan's order is the one fixed per row: keep it outside
    if (earliest(kb) < earliest(ka)) {
      Ex t = a;
      a = b;
      b = t;
    }
    Ex scaleSquared = scale == null ? Exprs.constant(1) : Exprs.unary(UnaryOp.SQUARE, scale);
    Ex first = Exprs.mul(Exprs.unary(UnaryOp.SQUARE, a), scaleSquared);
    Ex cross = Exprs.mul(a, Exprs.mul(b, scaleSquared));
    Ex last = Exprs.mul(Exprs.unary(UnaryOp.SQUARE, b), scaleSquared);
    return Exprs.add(Exprs.sub(first, Exprs.mul(Exprs.constant(2), cross)), last);
  }

  private int earliest(SortedSet<Integer> dims) {
    int best = Integer.MAX_VALUE;
    for (int g : dims) {
      best = Math.min(best, rank[g]);
    }
    return best;
  }
}
