/**
 * Random numbers: {@link org.alan.runtime.sampling.Rng}, a counter-keyed generator (every variable, plate element
 * and purpose gets its own stream, so results do not depend on the number of threads), and
 * {@link org.alan.runtime.sampling.Samplers}, one static method per distribution, built on Apache Commons RNG.
 */
package org.alan.runtime.sampling;
