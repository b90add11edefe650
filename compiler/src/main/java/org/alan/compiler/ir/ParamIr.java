package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.GuideParameter;

/**
 * A learnable guide parameter ({@code qem(init)} or {@code learn(init)}). It has one value per element of its
 * variable's plates and per coordinate of the variable's event shape, all starting at {@code init}.
 *
 * @param name unique name, {@code <variable>_<parameter>} ({@code mu_z_loc}) or with a counter when ambiguous
 */
public record ParamIr(int id, String name, GuideParameter kind, double init, int variable, int plate, Shape shape,
    SourceSpan span) {
  public ParamIr {
    Objects.requireNonNull(name, "name is null");
    Objects.requireNonNull(kind, "kind is null");
    Objects.requireNonNull(shape, "shape is null");
    Objects.requireNonNull(span, "span is null");
  }
}
