package org.alan.compiler.parse;

import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.source.SourceSpan;

/** One factory method per syntax-error condition, so every message is written (and tested) once. */
final class SyntaxErrors {
  private SyntaxErrors() {}

  static Diagnostic unexpectedCharacter(SourceSpan span, String text) {
    return Diagnostic.error(span, "unexpected character " + describeCharacters(text));
  }

  /** Characters quoted for a message; invisible ones (controls, byte-order marks) by code point. */
  static String describeCharacters(String text) {
    StringBuilder out = new StringBuilder();
    boolean visible = text.codePoints().allMatch(c -> !Character.isISOControl(c) && Character.isDefined(c)
        && Character.getType(c) != Character.FORMAT && !Character.isWhitespace(c));
    if (visible) {
      return "'" + text + "'";
    }
    text.codePoints().forEach(c -> out.append(out.length() == 0 ? "" : " ").append(String.format("U+%04X", c)));
    return out + (text.equals("\uFEFF") ? " (a byte-order mark)" : "");
  }

  static Diagnostic nameTooLong(SourceSpan span, String name, int limit) {
    return Diagnostic.error(span, "name '" + name.substring(0, 20) + "...' is " + name.length()
        + " characters long; names may have at most " + limit);
  }

  static Diagnostic unterminatedComment(SourceSpan span) {
    return Diagnostic.error(span, "unterminated block comment", "a block comment opened with '/*' must be closed with '*/'");
  }

  static Diagnostic expectedDeclaration(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected 'model' or 'guide' at top level, found " + found);
  }

  static Diagnostic expectedStatement(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected a statement, found " + found,
        "statements are: 'plate NAME { ... }', 'group NAME { ... }', 'input NAME;', "
            + "'data NAME ~ Dist(...);', 'NAME ~ Dist(...);', 'let NAME = expr;'");
  }

  static Diagnostic missingSemicolon(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected ';' at the end of the statement, found " + found);
  }

  static Diagnostic expectedTilde(SourceSpan span, String name, String found) {
    return Diagnostic.error(span, "expected '~' after '" + name + "', found " + found,
        "a variable is declared as '" + name + " ~ Dist(...);'");
  }

  static Diagnostic expectedDistribution(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected a distribution such as 'Normal(0, 1)' after '~', found " + found);
  }

  static Diagnostic expectedExpression(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected an expression, found " + found);
  }

  static Diagnostic expectedName(SourceSpan span, String what, String found) {
    return Diagnostic.error(span, "expected " + what + ", found " + found);
  }

  static Diagnostic reservedWord(SourceSpan span, String word) {
    return Diagnostic.error(span, "'" + word + "' is a reserved word and cannot be used as a name",
        "write it in backticks, `" + word + "`, to use it as a name (a data column named so, say)");
  }

  static Diagnostic futureWord(SourceSpan span, String word) {
    return Diagnostic.error(span, "'" + word + "' is reserved for time series, which this version of alan does not"
        + " support yet; it cannot be used as a name either");
  }

  static Diagnostic unclosedBlock(SourceSpan span, String opener) {
    return Diagnostic.error(span, "missing '}' to close " + opener);
  }

  static Diagnostic unbalanced(SourceSpan span, String expected, String found) {
    return Diagnostic.error(span, "expected " + expected + ", found " + found);
  }

  static Diagnostic expectedShape(SourceSpan span, String found) {
    return Diagnostic.error(span, "expected a positive integer extent in the shape, found " + found,
        "event shapes are written like 'z[18] ~ ...' or 'input x[3, 4];'");
  }

  static Diagnostic notPositiveInteger(SourceSpan span, String what, String text) {
    return Diagnostic.error(span, "expected " + what + ": a positive integer, found '" + text + "'");
  }

  static Diagnostic generic(SourceSpan span, String expected, String found) {
    return Diagnostic.error(span, "syntax error: expected " + expected + ", found " + found);
  }
}
