package org.alan.stdlib;

/**
 * One parameter of a distribution.
 *
 * @param name the keyword name (PyTorch's: {@code loc}, {@code scale}, {@code probs}, ...)
 * @param constraint the set its values must lie in
 * @param vectorRank 1 when the parameter is intrinsically a vector along its last axis (the
 *     probabilities of a Categorical, the concentration of a Dirichlet), 2 for a matrix (a MultivariateNormal's
 *     covariance), 0 for elementwise parameters
 */
public record Parameter(String name, SupportKind constraint, int vectorRank) {
  static Parameter scalar(String name, SupportKind constraint) {
    return new Parameter(name, constraint, 0);
  }

  static Parameter vector(String name, SupportKind constraint) {
    return new Parameter(name, constraint, 1);
  }

  static Parameter matrix(String name, SupportKind constraint) {
    return new Parameter(name, constraint, 2);
  }
}
