/**
 * The compiler as a library (for the CLI, tests, a future LSP server or Maven plugin): compile a source to
 * artifacts and diagnostics, with no printing and no {@code System.exit}.
 */
package org.alan.compiler.api;
