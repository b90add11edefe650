package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * A derived quantity: a model {@code let} whose value reads a latent variable (Stan's transformed parameters and
 * generated quantities, such as {@code theta = mu + tau * theta_trans}), reported beside the latents.
 *
 * @param plate the plate the let is declared in: one value per element
 * @param value the let's checked value, every let it reads substituted
 */
public record DerivedIr(String name, int plate, Ex value, SourceSpan span) {
  public DerivedIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(value, "value is null");
    Objects.requireNonNull(span, "span is null");
  }

  public Shape shape() {
    return value.shape();
  }
}
