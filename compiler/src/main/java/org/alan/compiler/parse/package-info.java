/**
 * Parsing: the ANTLR-generated parser is driven by {@link org.alan.compiler.parse.ProgramParser}, which turns the
 * first syntax error into a curated message ({@link org.alan.compiler.parse.SyntaxErrors}) and hands the parse
 * tree to {@link org.alan.compiler.parse.AstBuilder}. No ANTLR type leaves this package.
 */
package org.alan.compiler.parse;
