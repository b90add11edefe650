package org.alan.compiler.ast;

/** An expression. */
public sealed interface Expr extends Node permits NumberLit, NameRef, Unary, Binary, Call, Index, VectorLit, Slice {}
