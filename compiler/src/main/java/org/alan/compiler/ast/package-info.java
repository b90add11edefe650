/**
 * The abstract syntax tree of {@code .alan}: immutable records with a source span on every node. ANTLR types
 * never appear here; {@code parse.AstBuilder} is the only producer and {@link org.alan.compiler.ast.AstPrinter}
 * prints a tree back as canonical source.
 */
package org.alan.compiler.ast;
