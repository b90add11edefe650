/**
 * The massively parallel importance-sampling engine on the CPU: draws the guide's particles, runs the planned
 * contraction forward (log marginal likelihood), backward (exact posterior marginals of every K dimension, by
 * recomputation) and ancestrally (joint posterior draws), in parallel over plate elements and deterministic
 * under a seed.
 */
package org.alan.runtime.engine;
