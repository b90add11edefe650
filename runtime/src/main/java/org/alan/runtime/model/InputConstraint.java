package org.alan.runtime.model;

import org.alan.stdlib.SupportKind;

/**
 * An input passed as it is as a distribution parameter ({@code Normal(theta, sigma)} with {@code input sigma}):
 * every value of the input must then be a valid value of that parameter, which is checked with the data, before
 * any computation, so that a bad value is reported by the input's name and index rather than as a NaN density.
 *
 * @param input the index of the input variable
 * @param constraint the set the parameter's values must lie in
 * @param parameter the parameter's name ("scale")
 * @param distribution the distribution's name ("Normal")
 * @param variable the variable whose distribution it is
 * @param inGuide whether it is the variable's proposal in the guide rather than its distribution in the model
 * @param line the source line of that distribution, for messages
 */
public record InputConstraint(int input, SupportKind constraint, String parameter, String distribution,
    String variable, boolean inGuide, int line) {
  /** Why a value is refused, after the place and value: " cannot be the scale of the Normal of 'y' (m.alan:4): ...". */
  public String refusal(String sourceName) {
    return " cannot be the " + parameter + " of the " + distribution + (inGuide ? " proposing '" : " of '") + variable
        + "' (" + sourceName + ":" + line + "): expected " + constraint.parameterDescription();
  }
}
