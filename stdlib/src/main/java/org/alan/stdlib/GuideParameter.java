package org.alan.stdlib;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of learnable parameter: in a guide, the markers {@code qem(init)} (fitted by QEM moment matching) and
 * {@code learn(init)} (by gradient, VI or RWS); in a model, {@code param name = init;} (by gradient, ascending the
 * bound under both VI and RWS). Until a fitting method runs, a parameter holds its initial value.
 */
public enum GuideParameter {
  QEM("qem"),
  LEARN("learn"),
  /** A model's parameter, declared by a {@code param} statement (not a marker: {@link #byName} skips it). */
  MODEL("param"),
  /**
   * A coefficient of the automatic guide's linear decorrelation (not a marker: {@link #byName} skips it): the
   * model reads a latent as its particle plus these times its guide parents' coordinates, so that a mean-field
   * guide on the particle proposes a correlated Gaussian. Fitted by regression on the posterior draws.
   */
  SHEAR("shear"),
  /**
   * The weight {@code 1 - t} of the proper stand-in for a latent's improper prior at tempering temperature t (not a
   * marker): set by the engine from each run's temperature, 0 in every run at the posterior, never fitted or saved.
   */
  SURROGATE("surrogate");

  private final String alanName;

  GuideParameter(String alanName) {
    this.alanName = alanName;
  }

  public String alanName() {
    return alanName;
  }

  /** The guide marker of this name ({@code qem} or {@code learn}). */
  public static Optional<GuideParameter> byName(String name) {
    return Arrays.stream(values()).filter(p -> (p == QEM || p == LEARN) && p.alanName.equals(name)).findFirst();
  }
}
