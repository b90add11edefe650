/**
 * Diagnostics as values: each error is built by one factory method of a phase's {@code XxxErrors} class,
 * collected in {@link org.alan.compiler.diag.Diagnostics} and rendered with an excerpt and a caret by
 * {@link org.alan.compiler.diag.DiagnosticRenderer}, the same way for the CLI, the library API and tools.
 */
package org.alan.compiler.diag;
