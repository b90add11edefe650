/**
 * The compiler driver: {@link org.alan.compiler.driver.Pipeline} chains the passes in one place,
 * {@link org.alan.compiler.driver.Alanc} is the command line on top of the library API.
 */
package org.alan.compiler.driver;
