package org.alan.compiler.codegen;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.alan.compiler.analysis.FactorIr;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.UnaryOp;
import org.alan.compiler.ir.VariableIr;
import org.alan.stdlib.Distribution;

/**
 * Splits a Normal observation with a linear predictor for the runtime's {@code GaussianSumKernel}, which sums a
 * plate's elements of it from the rows' sufficient statistics instead of element by element:
 * {@code y ~ Normal(sum_j c_j * d_j, s)}, where each coefficient {@code c_j} and the scale {@code s} are the same for
 * every row of a parent element (they read particles and outer plates' values, no value of the rows' plate) and
 * each basis value {@code d_j} reads the row's data and no particle. Summed over n rows,
 * {@code sum log N(y | c.d, s) = -n log s - n/2 log 2 pi - (Syy - 2 c.Syd + c'Sdd c) / (2 s^2)}, so a parent
 * element costs one pass over its rows plus a few operations per entry, not a log density per row and entry. This
 * is the random-intercept regression {@code y ~ Normal(alpha[county] + beta * x, sigma)}, whose factor meets the
 * county's and the global latents' K dimensions on every row.
 */
final class GaussianSplit {
  /**
   * @param coefficients one part per basis value, over the factor's dimensions
   * @param scale the scale, over the factor's dimensions
   * @param response the observed value, per row
   * @param bases the basis values, per row
   */
  record Split(List<FactorIr> coefficients, FactorIr scale, FactorIr response, List<FactorIr> bases) {}

  private final ModelIr model;
  private final FactorIr factor;

  private GaussianSplit(ModelIr model, FactorIr factor) {
    this.model = model;
    this.factor = factor;
  }

  /**
   * The split of {@code factor}, if it is a scalar Normal observation of that form in a plate that only hands up
   * its factors (only then does the forward pass ask for sums over elements).
   */
  static Optional<Split> of(ModelIr model, FactorIr factor, boolean handsUpFactorsOnly) {
    if (!handsUpFactorsOnly || factor.isLatent() || factor.dims().isEmpty() || factor.variables().size() != 1) {
      return Optional.empty();
    }
    VariableIr y = model.variable(factor.variables().get(0));
    DistIr prior = y.prior();
    if (prior == null || prior.family() != Distribution.NORMAL || y.eventShape().rank() != 0
        || prior.truncated() // the sums do not hold the truncation's normaliser
        || !model.observationMasks(y.id()).isEmpty()) { // the sums would need the mask as a row weight
      return Optional.empty();
    }
    return new GaussianSplit(model, factor).split(y, prior.argument("loc"), prior.argument("scale"));
  }

  private Optional<Split> split(VariableIr y, Ex loc, Ex scale) {
    if (readsRows(scale) || loc.shape().rank() != 0 || scale.shape().rank() != 0) {
      return Optional.empty();
    }
    List<Ex> bases = new ArrayList<>();
    List<Ex> coefficients = new ArrayList<>();
    List<ExprCodegen.Term> terms = new ArrayList<>();
    for (ExprCodegen.Term t : flatTerms(loc)) {
      terms.addAll(coordinates(t));
    }
    for (ExprCodegen.Term t : terms) {
      Ex basis = Exprs.constant(1);
      Ex coefficient = Exprs.constant(t.coefficient());
      for (Ex f : factors(t.node())) {
        if (!readsRows(f)) {
          coefficient = Exprs.mul(coefficient, f);
        } else if (KDims.of(f, model).isEmpty()) {
          basis = basis instanceof Ex.Const c && c.value() == 1 ? f : Exprs.mul(basis, f);
        } else {
          return Optional.empty(); // a value that reads both the row and particles: no sufficient statistic
        }
      }
      int at = bases.indexOf(basis);
      if (at < 0) {
        bases.add(basis);
        coefficients.add(coefficient);
      } else {
        coefficients.set(at, Exprs.add(coefficients.get(at), coefficient));
      }
    }
    // nothing gained unless some coefficient carries particles (else the factor has no K dimension)
    if (coefficients.stream().allMatch(c -> KDims.of(c, model).isEmpty()) && KDims.of(scale, model).isEmpty()) {
      return Optional.empty();
    }
    List<FactorIr> coefficientParts = new ArrayList<>();
    List<FactorIr> basisParts = new ArrayList<>();
    for (int j = 0; j < bases.size(); j++) {
      coefficientParts.add(part("coefficient " + (j + 1), coefficients.get(j), true));
      basisParts.add(part("basis " + (j + 1), bases.get(j), false));
    }
    return Optional.of(new Split(coefficientParts, part("scale", scale, true),
        part("response", new Ex.VarRef(y.id(), y.eventShape()), false), basisParts));
  }

  private static List<ExprCodegen.Term> flatTerms(Ex e) {
    List<ExprCodegen.Term> out = new ArrayList<>();
    ExprCodegen.flattenSum(e, 1.0, out);
    return out;
  }

  /** Longest coefficient vector of a {@code dot(beta, x)} term written out coordinate by coordinate. */
  private static final int MAX_DOT = 8;

  /**
   * A {@code dot(beta, x)} of a row-free vector and a row's vector, as one term per coordinate
   * ({@code beta[j] * x[j]}); any other term as it is.
   */
  private List<ExprCodegen.Term> coordinates(ExprCodegen.Term t) {
    if (t.node() instanceof Ex.Reduce r && r.op() == org.alan.compiler.ir.ReduceOp.SUM && r.axes() == 1
        && r.arg().shape().rank() == 1 && r.arg().shape().size() <= MAX_DOT
        && r.arg() instanceof Ex.Binary b && b.op() == BinaryOp.MUL
        && b.left().shape().equals(r.arg().shape()) && b.right().shape().equals(r.arg().shape())) {
      List<ExprCodegen.Term> out = new ArrayList<>();
      for (int j = 0; j < r.arg().shape().size(); j++) {
        Ex index = Exprs.constant(j);
        out.add(new ExprCodegen.Term(t.coefficient(),
            Exprs.mul(Exprs.select(b.left(), index), Exprs.select(b.right(), index))));
      }
      return out;
    }
    return List.of(t);
  }

  /** The factors of a product of scalars (a negation is a factor of -1). */
  private static List<Ex> factors(Ex e) {
    List<Ex> out = new ArrayList<>();
    collectFactors(e, out);
    return out;
  }

  private static void collectFactors(Ex e, List<Ex> out) {
    if (e instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.shape().rank() == 0 && b.left().shape().rank() == 0
        && b.right().shape().rank() == 0) {
      collectFactors(b.left(), out);
      collectFactors(b.right(), out);
    } else if (e instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
      out.add(Exprs.constant(-1));
      collectFactors(u.arg(), out);
    } else {
      out.add(e);
    }
  }

  /** Whether an expression reads a value of the factor's own plate (a datum, input or parameter of its rows). */
  private boolean readsRows(Ex e) {
    for (int v : ExWalker.variables(e)) {
      if (model.variable(v).plate() == factor.plate()) {
        return true;
      }
    }
    for (int p : ExWalker.params(e)) {
      if (model.params().get(p).plate() == factor.plate()) {
        return true;
      }
    }
    return false;
  }

  /** A factor-like expression for a kernel of its own: over all the factor's dimensions, or per row. */
  private FactorIr part(String what, Ex expression, boolean overFactorDims) {
    return new FactorIr(factor.id(), factor.name() + " (" + what + ")", factor.plate(), factor.group(),
        factor.variables(), expression, overFactorDims ? factor.dims() : new TreeSet<>());
  }
}
