/** Source text and positions: every AST and IR node carries a {@link org.alan.compiler.source.SourceSpan}. */
package org.alan.compiler.source;
