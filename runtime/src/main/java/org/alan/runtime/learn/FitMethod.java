package org.alan.runtime.learn;

/** How a guide's parameters are fitted. */
public enum FitMethod {
  /** Moment matching from the massively parallel posterior moments (spec section 4.3). */
  QEM
}
