package org.alan.compiler.ir;

import java.util.Objects;
import org.alan.compiler.source.SourceSpan;
import org.alan.stdlib.GuideParameter;

/**
 * A learnable parameter: of the guide ({@code qem(init)} or {@code learn(init)}), with one value per element of
 * its variable's plates and per coordinate of the variable's event shape; or of the model ({@code param name =
 * init;}, kind {@link GuideParameter#MODEL}, no variable), with one value per element of the plates it is declared
 * in and coordinate of its declared shape. All start at {@code init}.
 *
 * @param name unique name, {@code <variable>_<parameter>} ({@code mu_z_loc}) or with a counter when ambiguous; a
 *     model parameter's own name
 * @param variable the latent whose proposal it belongs to; -1 for a model parameter
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
