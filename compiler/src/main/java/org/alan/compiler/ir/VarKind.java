package org.alan.compiler.ir;

public enum VarKind {
  /** Sampled from the guide; gets a K dimension. */
  LATENT,
  /** Observed: its value comes with the data. */
  DATA,
  /** A covariate: given with the data, no distribution. */
  INPUT
}
