package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * A variable of the model.
 *
 * @param eventShape the extents of the value's own axes ({@code z[18]} has {@code [18]}); empty for scalars
 * @param prior its distribution in the model P (null for inputs)
 */
public record VariableIr(int id, String name, VarKind kind, int plate, Shape eventShape, DistIr prior,
    SourceSpan span) {
  public VariableIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(kind, "kind is null");
    Objects.requireNonNull(eventShape, "eventShape is null");
    Objects.requireNonNull(span, "span is null");
    if ((kind == VarKind.INPUT) != (prior == null)) {
      throw new IllegalArgumentException("inputs, and only inputs, have no distribution: " + name);
    }
  }

  public boolean isLatent() {
    return kind == VarKind.LATENT;
  }
}
