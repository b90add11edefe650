/**
 * Semantic checking and lowering to the IR: name resolution with plate scoping, shapes, distribution
 * arguments, guide/model agreement, dependency cycles, and the automatic guide's proposals and decorrelation
 * ({@code AutomaticProposals}, {@code Decorrelation}). Every error is built by one method of
 * {@link org.alan.compiler.check.CheckErrors}.
 */
package org.alan.compiler.check;
