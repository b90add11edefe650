package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.List;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VariableIr;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.GuideParameter;

/**
 * The proposal the automatic guide gives a latent: the QEM family whose support is the prior's, with one QEM
 * parameter per plate element and coordinate. Real values get a Normal, positive ones a LogNormal (a Normal on the
 * log scale: moment matching there is exact and stable, where a Gamma's needs an iterative inversion), the unit
 * interval a Beta (another interval with numbers for bounds a Beta scaled to it), simplexes a Dirichlet, binary values a Bernoulli, counts a Poisson, bounded counts a Binomial
 * with the prior's total count (a number or an input: QEM reads it as the support's bound), and categories a
 * Categorical over the prior's categories. An interval whose bounds are inputs, a Binomial whose total count is
 * computed, and a Multinomial keep the prior.
 *
 * <p>The initial values written here only make the generated code complete: the runtime starts every automatic
 * parameter from the prior's moments before fitting.
 */
final class AutomaticProposals {
  private AutomaticProposals() {}

  /** {@code inputs}: the ids of the model's input variables. */
  static DistIr proposal(VariableIr v, List<ParamIr> params, java.util.Set<Integer> inputs) {
    DistIr prior = v.prior();
    return switch (prior.support()) {
      case REAL -> fitted(v, Distribution.NORMAL, v.eventShape(), params, 0, 0, 1);
      case POSITIVE, NONNEGATIVE -> fitted(v, Distribution.LOG_NORMAL, v.eventShape(), params, 0, 0, 1);
      case UNIT_INTERVAL -> fitted(v, Distribution.BETA, v.eventShape(), params, 0, 1, 1);
      case INTERVAL -> {
        if (isUnitInterval(prior)) {
          yield fitted(v, Distribution.BETA, v.eventShape(), params, 0, 1, 1);
        }
        if (!(prior.low() instanceof Ex.Const lo) || !(prior.high() instanceof Ex.Const hi)
            || Double.isInfinite(lo.value()) || Double.isInfinite(hi.value())) {
          yield prior; // an input for a bound, or a half-line (T[-5, ]): the truncated prior, drawn by rejection
        }
        DistIr d = fitted(v, Distribution.SCALED_BETA, v.eventShape(), params, 0, 1, 1);
        List<Ex> arguments = new ArrayList<>(d.arguments());
        arguments.add(prior.low());
        arguments.add(prior.high());
        yield new DistIr(Distribution.SCALED_BETA, 0, arguments, v.span());
      }
      case SIMPLEX -> fitted(v, Distribution.DIRICHLET, v.eventShape(), params, 0, 1);
      case COUNT_VECTOR -> prior;
      case BINARY -> fitted(v, Distribution.BERNOULLI, v.eventShape(), params, 0, 0.5);
      case NONNEGATIVE_INTEGER -> fitted(v, Distribution.POISSON, v.eventShape(), params, 0, 1);
      case BOUNDED_INTEGER -> {
        Ex n = prior.argument("total_count");
        boolean known = n instanceof Ex.Const || n instanceof Ex.VarRef r && inputs.contains(r.variable());
        if (!known) {
          yield prior;
        }
        DistIr d = fitted(v, Distribution.BINOMIAL, v.eventShape(), params, 1, 0.5);
        List<Ex> arguments = new ArrayList<>(d.arguments());
        arguments.add(0, n);
        yield new DistIr(Distribution.BINOMIAL, 0, arguments, v.span());
      }
      case CATEGORY -> {
        int categories = prior.arguments().get(0).shape().last();
        yield fitted(v, Distribution.CATEGORICAL, v.eventShape().append(categories), params, 0, 1.0 / categories);
      }
    };
  }

  private static boolean isUnitInterval(DistIr d) {
    return d.low() instanceof Ex.Const lo && lo.value() == 0 && d.high() instanceof Ex.Const hi && hi.value() == 1;
  }

  /**
   * {@code family(qem(init0), qem(init1), ...)} in its first parameterisation, for its parameters from index
   * {@code first} on, each of the given shape.
   */
  private static DistIr fitted(VariableIr v, Distribution family, Shape shape, List<ParamIr> params, int first,
      double... inits) {
    List<Ex> arguments = new ArrayList<>();
    for (int i = 0; i < inits.length; i++) {
      String base = v.name() + "_" + family.parameterisations().get(0).get(first + i).name();
      String name = base;
      for (int n = 2; taken(params, name); n++) {
        name = base + "_" + n;
      }
      int id = params.size();
      params.add(new ParamIr(id, name, GuideParameter.QEM, inits[i], v.id(), v.plate(), shape, v.span()));
      arguments.add(new Ex.ParamRef(id, shape));
    }
    return new DistIr(family, 0, arguments, v.span());
  }

  /** Whether a parameter of this name exists already. */
  static boolean taken(List<ParamIr> params, String name) {
    return params.stream().anyMatch(p -> p.name().equals(name));
  }
}
