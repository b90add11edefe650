package org.alan.runtime.model;

/**
 * A latent of the automatic guide read by the model through a linear decorrelation: its particles hold a
 * coordinate {@code e}, and the model reads {@code e + sum_j params[j] * w_j - shift}, where {@code w_j} is coordinate
 * {@code coordinates[j]} of latent {@code parents[j]}'s particle (its log where {@code logs[j]}), at the element of
 * the parent's plate that holds the latent's element. Every parameter holds one value per element of the latent's
 * plate and coordinate of its event shape; for a coordinate of the latent itself only later coordinates' are used.
 * A {@code nonCentred} latent's particles are standardised: the model reads its prior's location plus its scale
 * times that value, and reports it as a derived quantity of the same name.
 */
public record ShearSpec(int variable, int shift, int[] params, int[] parents, int[] coordinates, boolean[] logs,
    boolean nonCentred) {
  public ShearSpec {
    if (params.length != parents.length || parents.length != coordinates.length || coordinates.length != logs.length) {
      throw new IllegalArgumentException("a shear needs one parameter, parent, coordinate and log flag each");
    }
  }

  /**
   * Whether the model value is a function of the latent's own particle index: not non-centred, and every parent
   * sampled with the latent, at the same particle index (its own group). Otherwise the model value is reported
   * from the joint draws, as a derived quantity of the latent's name.
   */
  public boolean perParticle(ModelSpec spec) {
    if (nonCentred) {
      return false;
    }
    int g = spec.variables()[variable].group();
    for (int p : parents) {
      if (spec.variables()[p].group() != g) {
        return false;
      }
    }
    return true;
  }
}
