package org.alan.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.alan.compiler.ir.DerivedIr;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.Exprs;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.ShearIr;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;
import org.alan.stdlib.Distribution;
import org.alan.stdlib.GuideParameter;

/**
 * Gives the automatic guide correlations by a linear change of variables (see {@link ShearIr}). The massively
 * parallel estimator averages each latent's K particles against every particle of the groups it shares a factor
 * with, so a mean-field proposal whose posterior is correlated with those groups' latents wastes most of its
 * particles: a non-centred random effect {@code alpha_raw ~ Normal(0, 1)} read as {@code mu + tau * alpha_raw}
 * is pinned by a large group's data only jointly with {@code mu} and {@code tau}, and a regression's coefficients on
 * uncentred predictors are pinned jointly. Reading such a latent as its particle plus a linear function of its
 * parents' particles, with the coefficients fitted by regression on posterior draws, gives each particle the
 * conditional proposal a correlated Gaussian would; common random numbers across the parents' particles keep the
 * estimator exact.
 *
 * <p>Sheared: latents of the automatic guide with a Normal proposal whose prior reads no latent, or is a Normal
 * (the latent is then also non-centred, see {@link ShearIr}). Their parents: the
 * earlier coordinates of a vector latent, and the latents with a Normal or LogNormal proposal that share a factor
 * with it and are earlier members of its group or belong to an enclosing plate. Vectors longer than
 * {@link #MAX_VECTOR} are neither sheared on their own coordinates nor parents, and a latent takes at most
 * {@link #MAX_PARENTS} parent coordinates (in the order above), so that the added work stays proportional to the
 * model's.
 */
final class Decorrelation {
  static final int MAX_VECTOR = 16;
  /**
   * The most parent coordinates one latent is sheared on: each fitting draw costs their square per element and
   * coordinate (a plate of a thousand 16-vectors on 24 parents: 10^7 per draw).
   */
  static final int MAX_PARENTS = 24;

  private Decorrelation() {}

  static ModelIr run(ModelIr m) {
    if (!m.automaticGuide()) {
      return m;
    }
    List<Set<Integer>> factors = factorLatents(m);
    List<ParamIr> params = new ArrayList<>(m.params());
    Map<Integer, ShearIr> plain = new LinkedHashMap<>();
    for (GroupIr g : m.groups()) {
      for (int v : g.members()) {
        if (!dependent(m, v)) {
          continue;
        }
        VariableIr var = m.variable(v);
        List<ShearIr.Parent> parents = new ArrayList<>();
        int n = var.eventShape().size();
        if (var.eventShape().rank() == 1 && n > 1 && n <= MAX_VECTOR) {
          for (int j = 0; j < n - 1; j++) {
            parents.add(new ShearIr.Parent(param(params, var, "shear_" + var.name() + "_" + (j + 1)), v, j, false));
          }
        }
        for (VariableIr u : m.variables()) {
          if (u.id() != v && parent(m, u.id(), v, factors)
              && parents.size() + u.eventShape().size() <= MAX_PARENTS) {
            boolean log = m.proposal(u.id()).family() == Distribution.LOG_NORMAL;
            int size = u.eventShape().size();
            for (int j = 0; j < size; j++) {
              String name = "shear_" + u.name() + (u.eventShape().rank() == 0 ? "" : "_" + (j + 1));
              parents.add(new ShearIr.Parent(param(params, var, name), u.id(), j, log));
            }
          }
        }
        if (!parents.isEmpty() || readsLatent(m, var.prior())) {
          plain.put(v, new ShearIr(v, param(params, var, "shift"), parents, null, null));
        }
      }
    }
    if (plain.isEmpty()) {
      return m;
    }
    // the model values, each after those its prior's location and scale read (the model is acyclic)
    Map<Integer, Ex> values = new HashMap<>();
    Map<Integer, ShearIr> shears = new LinkedHashMap<>();
    for (int v : plain.keySet()) {
      value(m, v, plain, values, shears);
    }
    List<VariableIr> variables = new ArrayList<>();
    for (VariableIr v : m.variables()) {
      DistIr prior = v.prior();
      ShearIr shear = shears.get(v.id());
      if (shear != null && shear.nonCentred()) {
        prior = new DistIr(Distribution.NORMAL, 0, List.of(Exprs.constant(0), Exprs.constant(1)), prior.span());
      } else if (prior != null) {
        List<Ex> arguments = prior.arguments().stream().map(a -> substitute(a, values)).toList();
        prior = new DistIr(prior.family(), prior.parameterisation(), arguments, prior.span());
      }
      variables.add(new VariableIr(v.id(), v.name(), v.kind(), v.plate(), v.eventShape(), prior, v.span()));
    }
    List<DerivedIr> derived = new ArrayList<>(m.derived().stream()
        .map(d -> new DerivedIr(d.name(), d.plate(), substitute(d.value(), values), d.span())).toList());
    // a latent whose model value reads other groups' particles is reported from the joint draws, under its name
    for (ShearIr sh : shears.values()) {
      VariableIr var = m.variable(sh.variable());
      int group = m.groupOf(sh.variable());
      if (sh.nonCentred() || sh.parents().stream().anyMatch(p -> m.groupOf(p.variable()) != group)) {
        derived.add(new DerivedIr(var.name(), var.plate(), values.get(sh.variable()), var.span()));
      }
    }
    return new ModelIr(m.name(), m.span(), m.plates(), variables, m.groups(), params, m.proposals(), true,
        m.automaticProposals(), derived, List.copyOf(shears.values()));
  }

  /** The model value of sheared latent {@code v}, with its prior's location and scale read as model values. */
  private static Ex value(ModelIr m, int v, Map<Integer, ShearIr> plain, Map<Integer, Ex> values,
      Map<Integer, ShearIr> shears) {
    Ex known = values.get(v);
    if (known != null) {
      return known;
    }
    ShearIr shear = plain.get(v);
    DistIr prior = m.variable(v).prior();
    if (readsLatent(m, prior)) {
      for (int r : ExWalker.variables(prior)) {
        if (plain.containsKey(r)) {
          value(m, r, plain, values, shears);
        }
      }
      shear = new ShearIr(v, shear.shift(), shear.parents(), substitute(prior.arguments().get(0), values),
          substitute(prior.arguments().get(1), values));
    }
    Ex value = shear.modelValue(m);
    values.put(v, value);
    shears.put(v, shear);
    return value;
  }

  private static boolean readsLatent(ModelIr m, DistIr d) {
    return ExWalker.variables(d).stream().anyMatch(r -> m.variable(r).isLatent());
  }

  /**
   * The latents each factor reads: per variable with a distribution, its own id (a latent's) and its prior's, and
   * for every latent among them that will be non-centred, the latents its prior reads (the model reads it through
   * them), transitively.
   */
  private static List<Set<Integer>> factorLatents(ModelIr m) {
    List<Set<Integer>> out = new ArrayList<>();
    for (VariableIr v : m.variables()) {
      if (v.prior() == null || v.kind() == VarKind.INPUT) {
        continue;
      }
      Set<Integer> latents = new LinkedHashSet<>();
      if (v.isLatent()) {
        latents.add(v.id());
      }
      List<Integer> pending = new ArrayList<>(ExWalker.variables(v.prior()));
      while (!pending.isEmpty()) {
        int r = pending.remove(pending.size() - 1);
        if (m.variable(r).isLatent() && latents.add(r) && dependent(m, r) && readsLatent(m, m.variable(r).prior())) {
          pending.addAll(ExWalker.variables(m.variable(r).prior()));
        }
      }
      out.add(latents);
    }
    return out;
  }

  /**
   * A latent of the automatic guide with a Normal proposal, scalar or vector, whose prior reads no latent or is a
   * Normal (then non-centred).
   */
  private static boolean dependent(ModelIr m, int v) {
    VariableIr var = m.variable(v);
    return m.automaticProposals().contains(v) && m.proposal(v).family() == Distribution.NORMAL
        && var.eventShape().rank() <= 1
        && (!readsLatent(m, var.prior()) || var.prior().family() == Distribution.NORMAL);
  }

  private static boolean parent(ModelIr m, int u, int v, List<Set<Integer>> factors) {
    VariableIr pu = m.variable(u);
    VariableIr pv = m.variable(v);
    if (!pu.isLatent() || !m.automaticProposals().contains(u) || pu.eventShape().rank() > 1
        || pu.eventShape().size() > MAX_VECTOR) {
      return false;
    }
    Distribution family = m.proposal(u).family();
    if (family != Distribution.NORMAL && family != Distribution.LOG_NORMAL) {
      return false;
    }
    int gu = m.groupOf(u);
    int gv = m.groupOf(v);
    List<Integer> members = m.group(gv).members();
    boolean earlier = gu == gv && members.indexOf(u) < members.indexOf(v);
    boolean outer = pu.plate() != pv.plate() && m.encloses(pu.plate(), pv.plate());
    return (earlier || outer) && factors.stream().anyMatch(f -> f.contains(u) && f.contains(v));
  }

  /** A new coefficient parameter of {@code v}'s shear, zero at first, one value per element and coordinate. */
  private static int param(List<ParamIr> params, VariableIr v, String suffix) {
    String base = v.name() + "_" + suffix;
    String name = base;
    for (int n = 2; taken(params, name); n++) {
      name = base + "_" + n;
    }
    int id = params.size();
    params.add(new ParamIr(id, name, GuideParameter.SHEAR, 0, v.id(), v.plate(), v.eventShape(), v.span()));
    return id;
  }

  private static boolean taken(List<ParamIr> params, String name) {
    return params.stream().anyMatch(p -> p.name().equals(name));
  }

  /** {@code e} with every sheared latent's particle replaced by its model value. */
  private static Ex substitute(Ex e, Map<Integer, Ex> values) {
    if (e instanceof Ex.VarRef r) {
      return values.getOrDefault(r.variable(), r);
    } else if (e instanceof Ex.Unary u) {
      return new Ex.Unary(u.op(), substitute(u.arg(), values));
    } else if (e instanceof Ex.Binary b) {
      return new Ex.Binary(b.op(), substitute(b.left(), values), substitute(b.right(), values), b.shape());
    } else if (e instanceof Ex.Reduce r) {
      return new Ex.Reduce(r.op(), substitute(r.arg(), values), r.axes(), r.shape());
    } else if (e instanceof Ex.Select s) {
      return new Ex.Select(substitute(s.vector(), values), substitute(s.index(), values), s.shape());
    } else if (e instanceof Ex.LogMeanExpK l) {
      return new Ex.LogMeanExpK(substitute(l.arg(), values), l.groups());
    }
    return e;
  }
}
