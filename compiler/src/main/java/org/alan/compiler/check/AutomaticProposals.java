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
 * interval a Beta, simplexes a Dirichlet, binary values a Bernoulli and counts a Poisson. Supports with bounds
 * read from the data (a Uniform's, a Binomial's total count, a Categorical's categories) keep the prior.
 *
 * <p>The initial values written here only make the generated code complete: the runtime starts every automatic
 * parameter from the prior's moments before fitting.
 */
final class AutomaticProposals {
  private AutomaticProposals() {}

  static DistIr proposal(VariableIr v, List<ParamIr> params) {
    DistIr prior = v.prior();
    return switch (prior.family().support()) {
      case REAL -> fitted(v, Distribution.NORMAL, params, 0, 1);
      case POSITIVE, NONNEGATIVE -> fitted(v, Distribution.LOG_NORMAL, params, 0, 1);
      case UNIT_INTERVAL -> fitted(v, Distribution.BETA, params, 1, 1);
      case INTERVAL -> isUnitInterval(prior) ? fitted(v, Distribution.BETA, params, 1, 1) : prior;
      case SIMPLEX -> fitted(v, Distribution.DIRICHLET, params, 1);
      case BINARY -> fitted(v, Distribution.BERNOULLI, params, 0.5);
      case NONNEGATIVE_INTEGER -> fitted(v, Distribution.POISSON, params, 1);
      case BOUNDED_INTEGER, CATEGORY -> prior;
    };
  }

  private static boolean isUnitInterval(DistIr d) {
    return d.argument("low") instanceof Ex.Const lo && lo.value() == 0
        && d.argument("high") instanceof Ex.Const hi && hi.value() == 1;
  }

  /** {@code family(qem(init0), qem(init1), ...)} in its first parameterisation, parameters shaped as the value. */
  private static DistIr fitted(VariableIr v, Distribution family, List<ParamIr> params, double... inits) {
    Shape shape = v.eventShape();
    List<Ex> arguments = new ArrayList<>();
    for (int i = 0; i < inits.length; i++) {
      String base = v.name() + "_" + family.parameterisations().get(0).get(i).name();
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

  private static boolean taken(List<ParamIr> params, String name) {
    return params.stream().anyMatch(p -> p.name().equals(name));
  }
}
