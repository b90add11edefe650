/** Scalar special functions shared by generated code, samplers and the compiler's constant folding. */
package org.alan.runtime.math;
