package org.alan.runtime.model;

import org.alan.stdlib.Distribution;

/**
 * A latent whose proposal QEM fits: every argument of its guide distribution is a {@code qem} parameter.
 *
 * @param variable the latent
 * @param family the proposal's family, in its first parameterisation
 * @param params the parameters, in the family's parameter order
 * @param automatic whether the proposal is the automatic one (no guide block, or a latent the guide block leaves
 *     out): its parameters start at the prior's moments and are brought to the posterior by tempering
 */
public record QemSpec(int variable, Distribution family, int[] params, boolean automatic) {}
