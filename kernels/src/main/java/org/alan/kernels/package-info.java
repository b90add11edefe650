/**
 * Hot loops of the contraction engine. {@link org.alan.kernels.LogSumExp} streams a log-sum-exp over blocks
 * (the online form: a running maximum and a rescaled sum, one {@code exp} per entry) and applies its adjoint.
 * A Vector API implementation is used when the {@code jdk.incubator.vector} module is present in the JVM; the
 * scalar implementation gives the same results to rounding and is always available. The CUDA versions of these
 * loops will live beside them.
 */
package org.alan.kernels;
