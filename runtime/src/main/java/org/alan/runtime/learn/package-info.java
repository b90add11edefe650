/**
 * Learning the proposal: QEM moment matching ({@link org.alan.runtime.learn.Qem}, with the inversions of
 * {@link org.alan.runtime.learn.MeanToNatural}), the tempered start of the automatic guide and the iteration loop
 * with its stopping rule ({@link org.alan.runtime.learn.Fitter}), and the regressions that fit the automatic guide's
 * decorrelation beside QEM ({@code ShearFit}). QEM needs no gradients: each step reads the
 * posterior marginals of the particles, which the engine's exact backward pass already gives.
 */
package org.alan.runtime.learn;
