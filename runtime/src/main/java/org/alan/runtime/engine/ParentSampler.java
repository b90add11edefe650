package org.alan.runtime.engine;

/**
 * How the particles of a guide parent are assigned to a child's particles (spec section 2.2). Both give the
 * same mixture proposal, so the estimator is the same; they differ in variance.
 */
public enum ParentSampler {
  /** An independent random permutation per parent element: every parent particle is used exactly once. */
  PERMUTATION,
  /** Independent uniform choices (multinomial resampling): a parent particle may be used several times. */
  CATEGORICAL
}
