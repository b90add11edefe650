package org.alan.compiler.ir;

import java.util.List;

/**
 * The linear decorrelation of one latent of the automatic guide. The latent's particles hold a decorrelated
 * coordinate {@code e}; the model reads the latent as {@code e + sum_j shear_j * w_j - shift}, where each {@code w_j}
 * is one coordinate of a guide parent as its particle holds it (its log for a positive latent): an earlier coordinate
 * of the same vector, an earlier member of the same group, or a latent of an enclosing plate that shares a factor
 * with it. The map from particles to model values is triangular with a unit diagonal, so it changes no density.
 * With every coefficient zero (their initial value) the model reads the particle itself.
 *
 * <p>A latent whose prior is of a location-scale family (Normal, StudentT, Cauchy, Logistic, Laplace) centred on
 * other latents ({@code alpha ~ Normal(mu, tau)}) is also non-centred: its particles are standardised (its prior
 * becomes its family at location 0 and scale 1) and the model reads {@code loc + scale * (e + ...)}, the prior's
 * location and scale, exactly as the non-centred program a person would write.
 *
 * @param variable the latent
 * @param shift the parameter {@code shift} (the latent's event shape per element of its plate)
 * @param parents one per parent coordinate, with the parameter holding its coefficients
 * @param loc for a non-centred latent its prior's location (the model values of the latents it reads), else null
 * @param scale for a non-centred latent its prior's scale, else null
 */
public record ShearIr(int variable, int shift, List<Parent> parents, Ex loc, Ex scale) {
  public ShearIr {
    parents = List.copyOf(parents);
    if ((loc == null) != (scale == null)) {
      throw new IllegalArgumentException("a non-centred latent needs both its location and its scale");
    }
  }

  /** Whether the particles are standardised: the model reads {@code loc + scale * (decorrelated value)}. */
  public boolean nonCentred() {
    return loc != null;
  }

  /**
   * One parent coordinate.
   *
   * @param param the coefficients (the latent's event shape per element of its plate; for a coordinate of the
   *     latent itself, only the later coordinates' are used)
   * @param variable the parent latent
   * @param coordinate the parent's flat event coordinate
   * @param log whether the model reads the log of the parent's particle (a positive latent)
   */
  public record Parent(int param, int variable, int coordinate, boolean log) {
    public Parent {
      if (coordinate < 0) {
        throw new IllegalArgumentException("coordinate " + coordinate);
      }
    }
  }

  /**
   * The value the model reads for the latent, as an expression of the particles and the coefficients: the particle
   * and the terms of parents in its own group first, then those of other groups with the shift, so that the part
   * that depends on other groups' particles only is one subexpression (computed once per particle of theirs).
   */
  public Ex modelValue(ModelIr model) {
    Ex standard = standardValue(model);
    return nonCentred() ? Exprs.add(loc, Exprs.mul(scale, standard)) : standard;
  }

  /**
   * The decorrelated value: the particle plus the parents' terms minus the shift, at which the latent's prior is
   * evaluated (for a non-centred latent, its standardised prior).
   */
  public Ex standardValue(ModelIr model) {
    VariableIr v = model.variable(variable);
    int group = model.groupOf(variable);
    Ex own = new Ex.VarRef(variable, v.eventShape());
    Ex others = null;
    for (Parent p : parents) {
      VariableIr parent = model.variable(p.variable());
      Ex w = new Ex.VarRef(p.variable(), parent.eventShape());
      if (parent.eventShape().rank() > 0) {
        w = Exprs.select(w, Exprs.constant(p.coordinate()));
      }
      if (p.log()) {
        w = Exprs.log(w);
      }
      Ex term = Exprs.mul(new Ex.ParamRef(p.param(), v.eventShape()), w);
      if (model.groupOf(p.variable()) == group) {
        own = Exprs.add(own, term);
      } else {
        others = others == null ? term : Exprs.add(others, term);
      }
    }
    Ex shift = new Ex.ParamRef(this.shift, v.eventShape());
    return others == null ? Exprs.sub(own, shift) : Exprs.add(own, Exprs.sub(others, shift));
  }
}
