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
 * it without an exponential or logarithm per entry: a Bernoulli with logits, {@code y * x - softplus(x)}, whose
 * logit {@code x} is a sum of parts that each vary only along the factor's first K dimensions (the rows) or only
 * along the rest (the columns). A group effect plus covariate effects of global latents, the usual hierarchical
 * logistic regression, is such a logit. Products of a value that is the same for every particle (a datum) with a
 * sum are multiplied out first, so that {@code alpha + w * (dot(phi, x) + b)} splits too.
 */
final class SoftplusSplit {
  /**
   * {@code coefficient * softplus(rowPart + colPart) + linear * datum * (rowPart + colPart)}, the datum a
   * particle-free scalar (over no K dimension).
   *
   * @param rowDims the row dimensions (a prefix of the factor's, canonical order)
   * @param colDims the column dimensions (the rest)
   */
  record Split(int[] rowDims, int[] colDims, double coefficient, FactorIr rowPart, FactorIr colPart, FactorIr datum,
      double linear) {}

  private final ModelIr model;
  private final FactorIr factor;

  private SoftplusSplit(ModelIr model, FactorIr factor) {
    this.model = model;
    this.factor = factor;
  }

  /**
   * The split of {@code factor}, if it has that form and its plate only hands up its factors
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

  /** {@code c * y * x + d * softplus(x)} with {@code y} a particle-free scalar and {@code x} separable. */
  private Optional<Split> split(int[] dims) {
    List<ExprCodegen.Term> flat = new ArrayList<>();
    ExprCodegen.flattenSum(factor.logFactor(), 1.0, flat);
    if (flat.size() != 2) {
      return Optional.empty();
    }
    for (int i = 0; i < 2; i++) {
      ExprCodegen.Term softplus = flat.get(i);
      ExprCodegen.Term linear = flat.get(1 - i);
      if (!(softplus.node() instanceof Ex.Unary u) || u.op() != UnaryOp.SOFTPLUS || u.arg().shape().rank() != 0
          || !(linear.node() instanceof Ex.Binary b) || b.op() != BinaryOp.MUL) {
        continue;
      }
      Ex arg = u.arg();
      Ex datum = b.right().equals(arg) ? b.left() : b.left().equals(arg) ? b.right() : null;
      if (datum == null || !isParticleFreeScalar(datum)) {
        continue;
      }
      for (int s = 1; s < dims.length; s++) {
        int[] rowDims = Arrays.copyOfRange(dims, 0, s);
        int[] colDims = Arrays.copyOfRange(dims, s, dims.length);
        Optional<Split> split = separate(arg, rowDims, colDims, softplus.coefficient(), datum, linear.coefficient());
        if (split.isPresent()) {
          return split;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The split at these row and column dimensions if every summand of the logit lies on one side, with particles on
   * each (else the entries do not factor and nothing is gained).
   */
  private Optional<Split> separate(Ex arg, int[] rowDims, int[] colDims, double coefficient, Ex datum,
      double linear) {
    SortedSet<Integer> rows = groups(rowDims);
    SortedSet<Integer> cols = groups(colDims);
    List<ExprCodegen.Term> parts = new ArrayList<>();
    expand(arg, 1.0, parts);
    Ex row = null;
    Ex col = null;
    for (ExprCodegen.Term p : parts) {
      SortedSet<Integer> kd = KDims.of(p.node(), model);
      Ex part = p.coefficient() == 1.0 ? p.node() : Exprs.mul(Exprs.constant(p.coefficient()), p.node());
      if (!kd.isEmpty() && rows.containsAll(kd)) {
        row = row == null ? part : Exprs.add(row, part);
      } else if (cols.containsAll(kd)) {
        col = col == null ? part : Exprs.add(col, part);
      } else {
        return Optional.empty();
      }
    }
    if (row == null || col == null || KDims.of(col, model).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Split(rowDims, colDims, coefficient, part("logit row part", row, rows),
        part("logit column part", col, cols), part("datum", datum, new TreeSet<>()), linear));
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
