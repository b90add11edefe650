package org.alan.runtime.io;

import java.util.List;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.ModelSpec;

/**
 * Data checked against a model: every plate's elements and every input and observed variable's values, flat in
 * the layout {@link org.alan.runtime.engine.ModelState} uses.
 *
 * @param values per variable id; null for latents
 * @param warnings things worth telling the user that do not stop the run (unused names in the file)
 */
public record BoundData(ModelSpec spec, PlateNest nest, double[][] values, List<String> warnings) {
  /** Elements per plate as a person reads them (see {@link PlateNest#sizes}). */
  public int[] plateSize() {
    return nest.sizes();
  }
}
