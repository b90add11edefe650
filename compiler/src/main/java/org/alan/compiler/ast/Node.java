package org.alan.compiler.ast;

import org.alan.compiler.source.SourceSpan;

/** Every AST node knows where it came from. */
public interface Node {
  SourceSpan span();
}
