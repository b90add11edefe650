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
import org.alan.compiler.ir.TargetIr;
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
 * model's. Neither a non-centring nor a parent of another group may make a factor read more K dimensions than
 * {@link #affordable} allows: the estimator's cost keeps its power of K.
 */
final class Decorrelation {
  static final int MAX_VECTOR = 16;
  /** The K dimensions any factor may come to read, whatever the model's own factors read (see affordable). */
  static final int PAIRWISE = 2;
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
    List<Factor> factors = factors(m);
    // the K dimensions each plate's factors read before any change: a change may not make a factor read more
    List<Factor> original = factors.stream().map(f -> new Factor(f.owner, f.plate, Set.copyOf(f.latents))).toList();
    // first the non-centred latents (the factors reading them then read what their priors read), so that every
    // latent's parents below are found in the factors as they will be
    Map<Integer, Set<Integer>> reach = nonCentred(m, factors, original);
    List<ParamIr> params = new ArrayList<>(m.params());
    Map<Integer, ShearIr> plain = decorrelated(m, factors, original, reach, params);
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
        prior = standardised(prior, values);
      } else if (prior != null) {
        List<Ex> arguments = prior.arguments().stream().map(a -> substitute(a, values)).toList();
        prior = prior.withArguments(arguments);
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
        m.automaticProposals(), derived, List.copyOf(shears.values()), m.transforms(),
        m.targets().stream().map(t -> new TargetIr(t.name(), t.plate(), substitute(t.value(), values), t.span()))
            .toList());
  }

  /**
   * The latents to non-centre, each with the latents whose particles its model value reads (its own, and its prior's
   * location's and scale's, through latents non-centred before it); the factors that read one read those too.
   */
  private static Map<Integer, Set<Integer>> nonCentred(ModelIr m, List<Factor> factors, List<Factor> original) {
    Map<Integer, Set<Integer>> reach = new HashMap<>();
    for (GroupIr g : m.groups()) {
      for (int v : g.members()) {
        if (!dependent(m, v) || !readsLatent(m, m.variable(v).prior())) {
          continue;
        }
        List<Factor> readers = factors.stream().filter(f -> f.owner != v && f.latents.contains(v)).toList();
        Set<Integer> reads = new LinkedHashSet<>();
        for (int r : ExWalker.variables(m.variable(v).prior())) {
          if (m.variable(r).isLatent()) {
            reads.addAll(reach.getOrDefault(r, Set.of(r)));
          }
        }
        if (readers.isEmpty() || readers.stream().anyMatch(f -> !affordable(m, f, reads, original))) {
          continue; // non-centring would give a factor that reads v K dimensions no factor of its plate reads
        }
        reach.put(v, union(reads, v));
        for (Factor f : factors) {
          if (f.latents.contains(v)) {
            f.latents.addAll(reads);
          }
        }
      }
    }
    return reach;
  }

  /**
   * Every sheared latent's decorrelation (its parents, with new parameters in {@code params}), location and scale
   * still unset; the factors that read one then read its parents too.
   */
  private static Map<Integer, ShearIr> decorrelated(ModelIr m, List<Factor> factors, List<Factor> original,
      Map<Integer, Set<Integer>> reach, List<ParamIr> params) {
    Map<Integer, ShearIr> plain = new LinkedHashMap<>();
    for (GroupIr g : m.groups()) {
      for (int v : g.members()) {
        boolean nonCentred = reach.containsKey(v);
        if (!dependent(m, v) || readsLatent(m, m.variable(v).prior()) && !nonCentred) {
          continue;
        }
        VariableIr var = m.variable(v);
        List<Factor> readers = factors.stream().filter(f -> f.owner != v && f.latents.contains(v)).toList();
        Set<Integer> reads = nonCentred ? reach.get(v) : Set.of();
        List<ShearIr.Parent> parents = new ArrayList<>();
        int n = var.eventShape().size();
        if (var.eventShape().rank() == 1 && n > 1 && n <= MAX_VECTOR) {
          for (int j = 0; j < n - 1; j++) {
            parents.add(new ShearIr.Parent(param(params, var, "shear_" + var.name() + "_" + (j + 1)), v, j, false));
          }
        }
        for (VariableIr u : m.variables()) {
          boolean affordable = u.isLatent() && (m.groupOf(u.id()) == m.groupOf(v) || !readers.isEmpty()
              && readers.stream().allMatch(f -> affordable(m, f, union(reads, u.id()), original)));
          if (u.id() != v && affordable && parent(m, u.id(), v, factors)
              && parents.size() + u.eventShape().size() <= MAX_PARENTS) {
            boolean log = m.proposal(u.id()).family() == Distribution.LOG_NORMAL;
            int size = u.eventShape().size();
            for (int j = 0; j < size; j++) {
              String name = "shear_" + u.name() + (u.eventShape().rank() == 0 ? "" : "_" + (j + 1));
              parents.add(new ShearIr.Parent(param(params, var, name), u.id(), j, log));
            }
          }
        }
        if (!parents.isEmpty() || nonCentred) {
          plain.put(v, new ShearIr(v, param(params, var, "shift"), parents, null, null));
          Set<Integer> mine = union(reads, v);
          parents.forEach(p -> mine.add(p.variable()));
          for (Factor f : factors) {
            if (f.latents.contains(v)) {
              f.latents.addAll(mine);
            }
          }
        }
      }
    }
    return plain;
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
      shear = new ShearIr(v, shear.shift(), shear.parents(), substitute(prior.argument("loc"), values),
          substitute(prior.argument("scale"), values));
    }
    Ex value = shear.modelValue(m);
    values.put(v, value);
    shears.put(v, shear);
    return value;
  }

  /**
   * The location-scale families a latent centred on other latents is non-centred in: {@code x = loc + scale * z}
   * with z of the same family at location 0 and scale 1 (a Student-t keeps its degrees of freedom).
   */
  private static boolean locationScale(Distribution family) {
    return switch (family) {
      case NORMAL, STUDENT_T, CAUCHY, LOGISTIC, LAPLACE -> true;
      default -> false;
    };
  }

  /** The prior of a non-centred latent's standardised particle: its family at location 0 and scale 1. */
  private static DistIr standardised(DistIr prior, Map<Integer, Ex> values) {
    List<Ex> arguments = new ArrayList<>();
    for (org.alan.stdlib.Parameter p : prior.parameters()) {
      arguments.add(switch (p.name()) {
        case "loc" -> Exprs.constant(0);
        case "scale" -> Exprs.constant(1);
        default -> substitute(prior.argument(p.name()), values);
      });
    }
    return new DistIr(prior.family(), prior.parameterisation(), arguments, prior.span());
  }

  private static boolean readsLatent(ModelIr m, DistIr d) {
    return ExWalker.variables(d).stream().anyMatch(r -> m.variable(r).isLatent());
  }

  /**
   * A factor of the estimator: the variable whose distribution it is, and the latents whose particles it reads
   * (grown as latents it reads are decorrelated or non-centred, which makes it read their parents too).
   */
  private record Factor(int owner, int plate, Set<Integer> latents) {}

  /**
   * Whether factor {@code f} may read the particles of {@code more} too: it then reads at most {@link #PAIRWISE} K
   * dimensions (K^2 per element, what any two-level hierarchical model costs), or those of some factor of its plate
   * as the model was written, so that its cost per element keeps the model's power of K. (The latent's own prior
   * factor may then read them too: it has no more elements than the factors that read it.) A three-level model's
   * observations therefore keep reading their group's latent centred, not K^3 per observation.
   */
  private static boolean affordable(ModelIr m, Factor f, Set<Integer> more, List<Factor> original) {
    Set<Integer> groups = groupsOf(m, union(f.latents, more));
    return groups.size() <= PAIRWISE
        || original.stream().anyMatch(o -> o.plate == f.plate && groupsOf(m, o.latents).containsAll(groups));
  }

  private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
    Set<Integer> out = new LinkedHashSet<>(a);
    out.addAll(b);
    return out;
  }

  private static Set<Integer> union(Set<Integer> a, int b) {
    Set<Integer> out = new LinkedHashSet<>(a);
    out.add(b);
    return out;
  }

  private static List<Factor> factors(ModelIr m) {
    List<Factor> out = new ArrayList<>();
    for (VariableIr v : m.variables()) {
      if (v.prior() == null || v.kind() == VarKind.INPUT) {
        continue;
      }
      Set<Integer> latents = new LinkedHashSet<>();
      if (v.isLatent()) {
        latents.add(v.id());
      }
      for (int r : ExWalker.variables(v.prior())) {
        if (m.variable(r).isLatent()) {
          latents.add(r);
        }
      }
      out.add(new Factor(v.id(), v.plate(), latents));
    }
    for (int i = 0; i < m.targets().size(); i++) {
      TargetIr t = m.targets().get(i);
      Set<Integer> latents = new LinkedHashSet<>();
      for (int r : ExWalker.variables(t.value())) {
        if (m.variable(r).isLatent()) {
          latents.add(r);
        }
      }
      out.add(new Factor(-1 - i, t.plate(), latents)); // owned by no variable
    }
    return out;
  }

  private static Set<Integer> groupsOf(ModelIr m, Set<Integer> latents) {
    Set<Integer> out = new java.util.HashSet<>();
    for (int l : latents) {
      out.add(m.groupOf(l));
    }
    return out;
  }

  /**
   * A latent of the automatic guide with a Normal proposal, scalar or vector, whose prior reads no latent or is of a
   * location-scale family (then non-centred).
   */
  private static boolean dependent(ModelIr m, int v) {
    VariableIr var = m.variable(v);
    return m.automaticProposals().contains(v) && m.proposal(v).family() == Distribution.NORMAL
        && var.eventShape().rank() <= 1
        && (!readsLatent(m, var.prior()) || locationScale(var.prior().family()) && !var.prior().truncated());
  }

  private static boolean parent(ModelIr m, int u, int v, List<Factor> factors) {
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
    return (earlier || outer) && factors.stream().anyMatch(f -> f.latents.contains(u) && f.latents.contains(v));
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
