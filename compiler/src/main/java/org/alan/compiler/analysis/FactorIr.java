package org.alan.compiler.analysis;

import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.alan.compiler.ir.Ex;

/**
 * One log factor of the estimator (spec section 2.3), evaluated per element of its plate.
 *
 * <p>For a latent group g: {@code log P_g - log q_mix_g - log K}, where {@code log q_mix_g} averages the
 * guide density over the particles of g's guide parents. For an observed variable: {@code log P(y | parents)}.
 *
 * @param group the latent group, or -1 for an observed variable
 * @param variables the latents of the group, or the one observed variable
 * @param logFactor the expression, without the {@code - log K} term ({@link #subtractsLogK()})
 * @param dims the K dimensions (group ids) it depends on
 */
public record FactorIr(int id, String name, int plate, int group, List<Integer> variables, Ex logFactor,
    SortedSet<Integer> dims) {
  public FactorIr {
    Objects.requireNonNull(name, "name is null");
    variables = List.copyOf(variables);
    Objects.requireNonNull(logFactor, "logFactor is null");
    dims = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(dims));
  }

  public boolean isLatent() {
    return group >= 0;
  }

  /** Latent-group factors carry the {@code - log K} of the estimator's average over particles. */
  public boolean subtractsLogK() {
    return group >= 0;
  }
}
