/**
 * The standard library of {@code .alan}: the table of distributions and functions the language knows,
 * with their parameters, supports and sufficient statistics. It is pure data, shared by the compiler
 * (name resolution, argument checking), the runtime (validating data against supports) and tools.
 * Formulas live with their consumers: log densities in the compiler's code generator, samplers in the runtime.
 */
package org.alan.stdlib;
