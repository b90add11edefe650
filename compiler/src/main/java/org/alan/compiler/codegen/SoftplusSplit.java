package org.alan.compiler.codegen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.alan.compiler.analysis.FactorIr;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.UnaryOp;

/**
 * Splits an observed factor for the runtime's {@code SeparableSoftplusKernel}, which sums a plate's elements of
 * it without an exponential or logarithm per entry. The factor's K dimensions are cut into a row prefix and a
 * column suffix, and its terms sorted by what they vary along:
 * <ul>
 *   <li>{@code c * softplus(x)} (a Bernoulli with logits gives it) where {@code x} is a sum of parts that each vary only along the rows or only along the
 *       columns: a group effect plus covariate effects of global latents, the usual hierarchical logistic
 *       regression, has such a logit;</li>
 *   <li>terms that vary only along the rows, or only along the columns (or along neither): summed over the
 *       elements at the cost of their own dimensions, then added to every entry of their row or column.</li>
 * </ul>
 * A factor with a term of neither kind (varying along both sides, not a separable softplus) is left whole: with
 * the distributions there are, its softplus would not be separable either.
 * Products of a value that is the same for every particle (a datum) with a sum are multiplied out first, so that
 * {@code y * (alpha + dot(phi, x))} splits too.
 */
final class SoftplusSplit {
  /** One {@code coefficient * softplus(rowPart + colPart)}. */
  record Term(double coefficient, FactorIr rowPart, FactorIr colPart) {}

  /**
   * @param rowDims the row dimensions (a prefix of the factor's, canonical order); the rest are the columns'
   * @param rowSum the terms that vary only along the rows, or null
   * @param colSum the terms that vary only along the columns or along neither, or null
   * @param terms the separable softplus terms (at least one)
   */
  record Split(int[] rowDims, int[] colDims, FactorIr rowSum, FactorIr colSum, List<Term> terms) {}

  private final ModelIr model;
  private final FactorIr factor;

  private SoftplusSplit(ModelIr model, FactorIr factor) {
    this.model = model;
    this.factor = factor;
  }

  /**
   * The split of {@code factor}, if it has a separable softplus term and its plate only hands up its factors
   * ({@code handsUpFactorsOnly}: only then does the forward pass ask for sums over elements).
   *
   * @param dims the factor's K dimensions in canonical order
   */
  static Optional<Split> of(ModelIr model, FactorIr factor, int[] dims, boolean handsUpFactorsOnly) {
    if (!handsUpFactorsOnly || factor.isLatent() || dims.length < 2) {
      return Optional.empty();
    }
    return new SoftplusSplit(model, factor).split(dims);
  }

  private Optional<Split> split(int[] dims) {
    List<ExprCodegen.Term> terms = new ArrayList<>();
    expand(factor.logFactor(), 1.0, terms);
    for (int s = 1; s < dims.length; s++) {
      SortedSet<Integer> rows = groups(Arrays.copyOfRange(dims, 0, s));
      SortedSet<Integer> cols = groups(Arrays.copyOfRange(dims, s, dims.length));
      List<Term> separable = new ArrayList<>();
      Ex rowSum = null;
      Ex colSum = null;
      boolean splits = true;
      for (ExprCodegen.Term t : terms) {
        Optional<Term> softplus = softplusArgument(t)
            .flatMap(arg -> separate(arg, t.coefficient(), rows, cols, separable.size()));
        SortedSet<Integer> kd = KDims.of(t.node(), model);
        if (softplus.isPresent()) {
          separable.add(softplus.get());
        } else if (!kd.isEmpty() && rows.containsAll(kd)) {
          rowSum = plus(rowSum, scaled(t));
        } else if (cols.containsAll(kd)) {
          colSum = plus(colSum, scaled(t));
        } else {
          splits = false;
          break;
        }
      }
      if (splits && !separable.isEmpty()) {
        return Optional.of(new Split(Arrays.copyOfRange(dims, 0, s), Arrays.copyOfRange(dims, s, dims.length),
            rowSum == null ? null : part("its row terms", rowSum, rows),
            colSum == null ? null : part("its column terms", colSum, cols), separable));
      }
    }
    return Optional.empty();
  }

  /**
   * The summands of {@code e}, with products of a particle-free scalar and a sum multiplied out (the same sums
   * to rounding: {@code x * (a + b)} becomes {@code x * a + x * b}).
   */
  private void expand(Ex e, double sign, List<ExprCodegen.Term> out) {
    List<ExprCodegen.Term> flat = new ArrayList<>();
    ExprCodegen.flattenSum(e, sign, flat);
    for (ExprCodegen.Term t : flat) {
      if (t.node() instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.shape().rank() == 0) {
        Ex scalar = isParticleFreeScalar(b.left()) && isSum(b.right()) ? b.left()
            : isParticleFreeScalar(b.right()) && isSum(b.left()) ? b.right() : null;
        if (scalar != null) {
          List<ExprCodegen.Term> inner = new ArrayList<>();
          expand(scalar == b.left() ? b.right() : b.left(), t.coefficient(), inner);
          for (ExprCodegen.Term i : inner) {
            out.add(new ExprCodegen.Term(i.coefficient(), Exprs.mul(scalar, i.node())));
          }
          continue;
        }
      }
      out.add(t);
    }
  }

  private boolean isParticleFreeScalar(Ex e) {
    return e.shape().rank() == 0 && KDims.of(e, model).isEmpty();
  }

  private static boolean isSum(Ex e) {
    return e.shape().rank() == 0 && (e instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB)
        || e instanceof Ex.Unary u && u.op() == UnaryOp.NEG);
  }

  /** {@code x} of a term {@code softplus(x)}. */
  private static Optional<Ex> softplusArgument(ExprCodegen.Term t) {
    return t.node() instanceof Ex.Unary u && u.op() == UnaryOp.SOFTPLUS && u.arg().shape().rank() == 0
        ? Optional.of(u.arg()) : Optional.empty();
  }

  /**
   * The softplus term of {@code arg} if every summand of it lies on one side, with particles on each (else the
   * entries do not factor and nothing is gained).
   */
  private Optional<Term> separate(Ex arg, double coefficient, SortedSet<Integer> rows, SortedSet<Integer> cols,
      int index) {
    List<ExprCodegen.Term> parts = new ArrayList<>();
    expand(arg, 1.0, parts);
    Ex row = null;
    Ex col = null;
    for (ExprCodegen.Term p : parts) {
      SortedSet<Integer> kd = KDims.of(p.node(), model);
      if (!kd.isEmpty() && rows.containsAll(kd)) {
        row = plus(row, scaled(p));
      } else if (cols.containsAll(kd)) {
        col = plus(col, scaled(p));
      } else {
        return Optional.empty();
      }
    }
    if (row == null || col == null || KDims.of(col, model).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Term(coefficient, part("softplus " + index + " row part", row, rows),
        part("softplus " + index + " column part", col, cols)));
  }

  private static Ex scaled(ExprCodegen.Term t) {
    return t.coefficient() == 1.0 ? t.node() : Exprs.mul(Exprs.constant(t.coefficient()), t.node());
  }

  private static Ex plus(Ex sum, Ex term) {
    return sum == null ? term : Exprs.add(sum, term);
  }

  private static SortedSet<Integer> groups(int[] dims) {
    SortedSet<Integer> out = new TreeSet<>();
    for (int d : dims) {
      out.add(d);
    }
    return out;
  }

  /** A factor-like expression over some of the factor's dimensions, for a kernel of its own. */
  private FactorIr part(String what, Ex expression, SortedSet<Integer> dims) {
    return new FactorIr(factor.id(), factor.name() + " (" + what + ")", factor.plate(), factor.group(),
        factor.variables(), expression, dims);
  }
}
