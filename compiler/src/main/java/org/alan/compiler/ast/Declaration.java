package org.alan.compiler.ast;

import java.util.List;

/** A top-level block: a {@code model} (the generative program P) or a {@code guide} (the proposal Q). */
public sealed interface Declaration extends Node permits ModelDecl, GuideDecl {
  Identifier name();

  List<Statement> body();
}
