package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;

/**
 * A {@code target += value;} term: the model's log density gains {@code value} (summed over its shape) at each element
 * of {@code plate}, as Stan's does.
 *
 * @param name how messages and plans name it ({@code target (line 7)})
 */
public record TargetIr(String name, int plate, Ex value, SourceSpan span) {
  public TargetIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(value, "value is null");
    Objects.requireNonNull(span, "span is null");
  }
}
