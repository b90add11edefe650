package org.alan.compiler.ast;

/** A statement inside a model, guide, plate or group block. */
public sealed interface Statement extends Node
    permits PlateStmt, GroupStmt, InputStmt, DataStmt, LatentStmt, LetStmt, ParamStmt, TargetStmt {
  Identifier name();
}
