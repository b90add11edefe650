package org.alan.compiler.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import org.alan.compiler.ir.Densities;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.TargetIr;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Builds the factors of the estimator: one per latent group (in guide order), then one per observed variable
 * (in model order), then one per {@code target +=} term.
 */
public final class FactorGraph {
  private FactorGraph() {}

  public static List<FactorIr> run(ModelIr model) {
    List<FactorIr> factors = new ArrayList<>();
    for (GroupIr g : model.groups()) {
      Ex logP = Exprs.constant(0);
      Ex logQ = Exprs.constant(0);
      for (int v : g.members()) {
        VariableIr var = model.variable(v);
        Ex value = new Ex.VarRef(v, var.eventShape());
        logP = Exprs.add(logP, Densities.logDensity(var.prior(), model.priorValue(v), var.eventShape()));
        if (var.prior().family().isImproper()) {
          // tempering's stand-in for the improper prior, weighted 1 - t (0 at the posterior)
          logP = Exprs.add(logP, Exprs.mul(new Ex.ParamRef(model.surrogateWeight(v), Shape.of()),
              Densities.surrogateLogDensity(var.prior(), model.priorValue(v), var.eventShape())));
        }
        DistIr q = model.proposal(v);
        logQ = Exprs.add(logQ, Densities.logDensity(q, value, var.eventShape()));
      }
      SortedSet<Integer> guideParents = KDims.of(logQ, model);
      guideParents.remove(g.id());
      Ex logQMix = guideParents.isEmpty() ? logQ : Ex.LogMeanExpK.of(logQ, guideParents);
      Ex logFactor = Exprs.collectTerms(Exprs.sub(logP, logQMix));
      SortedSet<Integer> dims = new TreeSet<>(KDims.of(logFactor, model));
      dims.add(g.id());
      factors.add(new FactorIr(factors.size(), g.name(), g.plate(), g.id(), g.members(), logFactor, dims));
    }
    for (VariableIr v : model.variables()) {
      if (v.kind() == VarKind.DATA) {
        Ex value = new Ex.VarRef(v.id(), v.eventShape());
        Ex logFactor = Densities.logDensity(v.prior(), value, v.eventShape());
        for (int mask : model.observationMasks(v.id())) {
          // an observation reading a lag without an initial value starts after the elements it has none for
          logFactor = Exprs.binary(org.alan.compiler.ir.BinaryOp.MASKED, new Ex.VarRef(mask, Shape.of()), logFactor);
        }
        factors.add(new FactorIr(factors.size(), v.name(), v.plate(), -1, List.of(v.id()), logFactor,
            KDims.of(logFactor, model)));
      }
    }
    for (TargetIr t : model.targets()) {
      Ex logFactor = Exprs.sumOver(t.value(), t.value().shape());
      factors.add(new FactorIr(factors.size(), t.name(), t.plate(), -1, List.of(), logFactor,
          KDims.of(logFactor, model)));
    }
    return factors;
  }
}
