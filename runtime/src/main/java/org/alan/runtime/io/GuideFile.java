package org.alan.runtime.io;

import java.nio.file.Path;
import java.util.Arrays;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.model.PlateNest;
import org.alan.runtime.model.ParamSpec;

/**
 * Fitted guide parameters as JSON, in the data format: each parameter's name to its nested array (its variable's
 * plates, outermost first, then its event shape). {@code fit --save} writes it; {@code --guide} reads it back,
 * checking that every parameter is there with the shape the data's plate sizes give.
 */
public final class GuideFile {
  private GuideFile() {}

  public static String write(ModelSpec spec, PlateNest nest, double[][] params) {
    DataSet out = new DataSet("fitted guide of " + spec.name());
    for (int i = 0; i < params.length; i++) {
      ParamSpec p = spec.params()[i];
      if (p.kind() == org.alan.stdlib.GuideParameter.SURROGATE) {
        continue; // set from each run's temperature, not part of the guide
      }
      double[] values = nest.userCopy(p.plate(), params[i], p.size());
      out.put(p.name(), new Array(values, spec.dims(p.plate(), p.shape(), nest.sizes())));
    }
    return JsonData.write(out);
  }

  /**
   * Reads parameters for the data's plate sizes; a missing, misshapen or non-finite one is a DataException, except
   * that missing decorrelation coefficients of a latent the automatic guide does not non-centre are zero (its
   * particles are then read as they are, which is what a guide written without them meant). A non-centred latent's
   * proposal is on the standardised scale, so a file without its coefficients was written for another one.
   */
  public static double[][] read(ModelSpec spec, PlateNest nest, Path file) {
    int[] plateSize = nest.sizes();
    DataSet in = JsonData.read(file);
    double[][] out = new double[spec.params().length][];
    for (int i = 0; i < out.length; i++) {
      ParamSpec p = spec.params()[i];
      Array a = in.get(p.name());
      if (a == null && (p.kind() == org.alan.stdlib.GuideParameter.SURROGATE
          || p.kind() == org.alan.stdlib.GuideParameter.SHEAR && !spec.shearOf(p.variable()).nonCentred())) {
        // an improper prior's stand-in weight (set per run); or a guide written without the automatic decorrelation,
        // whose particles are read as they are
        out[i] = new double[spec.plateCounts(plateSize)[p.plate()] * p.size()];
        java.util.Arrays.fill(out[i], p.init());
        continue;
      }
      if (a == null) {
        throw new DataException(file + ": the guide file has no parameter '" + p.name() + "' of model "
            + spec.name() + " (was it fitted for another model, or by an alan before the automatic guide non-centred"
            + " '" + (p.variable() >= 0 ? spec.variables()[p.variable()].name() : p.name()) + "'? fit it again)");
      }
      int[] expected = spec.dims(p.plate(), p.shape(), plateSize);
      if (!Arrays.equals(a.dims(), expected)) {
        throw new DataException(file + ": guide parameter '" + p.name() + "' has shape " + Arrays.toString(a.dims())
            + ", expected " + Arrays.toString(expected) + " for this data's plate sizes");
      }
      for (int j = 0; j < a.values().length; j++) {
        if (!Double.isFinite(a.values()[j])) {
          throw new DataException(file + ": guide parameter '" + p.name() + "' has a non-finite value at flat index "
              + j);
        }
      }
      out[i] = nest.engineCopy(p.plate(), a.values(), p.size());
    }
    return out;
  }
}
