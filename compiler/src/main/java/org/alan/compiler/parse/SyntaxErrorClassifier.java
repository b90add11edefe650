package org.alan.compiler.parse;

import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.source.SourceSpan;
import org.alan.grammar.AlanLexer;
import org.alan.grammar.AlanParser;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Maps a parser state (offending token, expected tokens, enclosing rule) to one curated message. The order
 * of the checks matters: the most specific situations come first.
 */
final class SyntaxErrorClassifier {
  private SyntaxErrorClassifier() {}

  private static final int[] STATEMENT_STARTS = {
    AlanLexer.PLATE, AlanLexer.GROUP, AlanLexer.INPUT, AlanLexer.DATA, AlanLexer.LET};
  private static final int[] EXPRESSION_STARTS = {AlanLexer.NUMBER, AlanLexer.IDENT, AlanLexer.LPAREN, AlanLexer.MINUS};

  static Diagnostic classify(Parser parser, Token offending, IntervalSet expected, ParserRuleContext context) {
    SourceSpan at = ProgramParser.span(offending);
    String found = describe(offending);
    int type = offending.getType();

    if (type == AlanLexer.ERROR_CHAR) {
      return SyntaxErrors.unexpectedCharacter(at, offending.getText());
    }
    if (type == AlanLexer.UNTERMINATED_COMMENT) {
      return SyntaxErrors.unterminatedComment(new SourceSpan(at.begin(), at.begin() + 2, at.line(), at.column()));
    }
    if (type == AlanLexer.TIMESERIES || type == AlanLexer.PREV) {
      return SyntaxErrors.futureWord(at, offending.getText());
    }
    if (isKeyword(type) && expected.contains(AlanLexer.IDENT) && !expected.contains(type)) {
      return SyntaxErrors.reservedWord(at, offending.getText());
    }
    if (type == Token.EOF && expected.contains(AlanLexer.RBRACE)) {
      return SyntaxErrors.unclosedBlock(at, describeOpenBlock(context));
    }
    if (expected.contains(AlanLexer.SEMI) && inStatement(context)) {
      return SyntaxErrors.missingSemicolon(afterPrevious(parser, offending), found);
    }
    if (context instanceof AlanParser.ProgramContext
        || expected.contains(AlanLexer.MODEL) && expected.contains(AlanLexer.GUIDE)) {
      return SyntaxErrors.expectedDeclaration(at, found);
    }
    if (context instanceof AlanParser.StatementContext && startsWithName(parser, offending)) {
      // a name then neither '~', a shape nor '+=': the statement cannot be told apart, most likely a forgotten '~'
      Token previous = previousToken(parser, offending);
      return SyntaxErrors.expectedTilde(at, previous.getText(), found);
    }
    if (expected.contains(AlanLexer.RBRACE) && (containsAll(expected, STATEMENT_STARTS) || isBlock(context))) {
      return SyntaxErrors.expectedStatement(at, found);
    }
    if (expected.contains(AlanLexer.TILDE) && context instanceof AlanParser.StatementContext) {
      Token previous = previousToken(parser, offending);
      return SyntaxErrors.expectedTilde(at, previous == null ? "?" : previous.getText(), found);
    }
    if (context instanceof AlanParser.CallContext && expected.contains(AlanLexer.IDENT)
        && !expected.contains(AlanLexer.NUMBER)) {
      return SyntaxErrors.expectedDistribution(at, found);
    }
    if (context instanceof AlanParser.ShapeContext && expected.contains(AlanLexer.NUMBER)) {
      return SyntaxErrors.expectedShape(at, found);
    }
    if (containsAll(expected, EXPRESSION_STARTS)) {
      return SyntaxErrors.expectedExpression(at, found);
    }
    if (expected.contains(AlanLexer.IDENT) && expected.size() == 1) {
      return SyntaxErrors.expectedName(at, nameRole(context), found);
    }
    if (expected.contains(AlanLexer.RPAREN)) {
      return SyntaxErrors.unbalanced(at, expected.contains(AlanLexer.COMMA) ? "',' or ')'" : "')'", found);
    }
    if (expected.contains(AlanLexer.RBRACK)) {
      return SyntaxErrors.unbalanced(at, expected.contains(AlanLexer.COMMA) ? "',' or ']'" : "']'", found);
    }
    if (expected.contains(AlanLexer.LBRACE) && expected.size() <= 2) {
      return SyntaxErrors.unbalanced(at, "'{'", found);
    }
    return SyntaxErrors.generic(at, describeSet(expected), found);
  }

  private static boolean isBlock(ParserRuleContext context) {
    return context instanceof AlanParser.DeclarationContext || context instanceof AlanParser.PlateStatementContext
        || context instanceof AlanParser.GroupStatementContext;
  }

  private static boolean inStatement(ParserRuleContext context) {
    for (ParserRuleContext c = context; c != null; c = c.getParent()) {
      if (c instanceof AlanParser.StatementContext) {
        return true;
      }
    }
    return false;
  }

  private static String nameRole(ParserRuleContext context) {
    if (context instanceof AlanParser.DeclarationContext) {
      return "a name for the model or guide";
    }
    if (context instanceof AlanParser.StatementContext) {
      return "a name";
    }
    return "a name";
  }

  private static String describeOpenBlock(ParserRuleContext context) {
    for (ParserRuleContext c = context; c != null; c = c.getParent()) {
      Token start = c.getStart();
      if (c instanceof AlanParser.PlateStatementContext p) {
        return "plate '" + p.name.getText() + "' opened at line " + start.getLine();
      }
      if (c instanceof AlanParser.GroupStatementContext g) {
        return "group '" + g.name.getText() + "' opened at line " + start.getLine();
      }
      if (c instanceof AlanParser.ModelDeclarationContext m) {
        return "model '" + m.name.getText() + "' opened at line " + start.getLine();
      }
      if (c instanceof AlanParser.GuideDeclarationContext g) {
        return "guide '" + g.name.getText() + "' opened at line " + start.getLine();
      }
    }
    return "a block";
  }

  /** A one-character span right after the token before {@code offending}: where a missing ';' belongs. */
  private static SourceSpan afterPrevious(Parser parser, Token offending) {
    Token previous = previousToken(parser, offending);
    if (previous == null) {
      return ProgramParser.span(offending);
    }
    int end = previous.getStopIndex() + 1;
    String text = previous.getText();
    int lastNewline = text.lastIndexOf('\n');
    int column = lastNewline >= 0 ? text.length() - lastNewline : previous.getCharPositionInLine() + text.length() + 1;
    int line = previous.getLine() + (int) text.chars().filter(ch -> ch == '\n').count();
    return new SourceSpan(end, end + 1, line, column);
  }

  private static Token previousToken(Parser parser, Token offending) {
    TokenStream tokens = parser.getTokenStream();
    for (int i = offending.getTokenIndex() - 1; i >= 0; i--) {
      Token t = tokens.get(i);
      if (t.getChannel() == Token.DEFAULT_CHANNEL) {
        return t;
      }
    }
    return null;
  }

  private static boolean isKeyword(int type) {
    return type == AlanLexer.MODEL || type == AlanLexer.GUIDE || type == AlanLexer.PLATE || type == AlanLexer.GROUP
        || type == AlanLexer.INPUT || type == AlanLexer.DATA || type == AlanLexer.LET
        || type == AlanLexer.TIMESERIES || type == AlanLexer.PREV;
  }

  /** Whether the token before the offending one is a name that starts a statement (after '{', ';' or '}'). */
  private static boolean startsWithName(Parser parser, Token offending) {
    Token previous = previousToken(parser, offending);
    if (previous == null || previous.getType() != AlanLexer.IDENT) {
      return false;
    }
    Token before = previousToken(parser, previous);
    return before != null && (before.getType() == AlanLexer.LBRACE || before.getType() == AlanLexer.SEMI
        || before.getType() == AlanLexer.RBRACE);
  }

  private static boolean containsAll(IntervalSet set, int[] types) {
    for (int t : types) {
      if (!set.contains(t)) {
        return false;
      }
    }
    return true;
  }

  static String describe(Token token) {
    if (token.getType() == Token.EOF) {
      return "end of file";
    }
    if (token.getType() == AlanLexer.NUMBER) {
      return "number " + token.getText();
    }
    return "'" + token.getText() + "'";
  }

  private static String describeSet(IntervalSet expected) {
    int[] types = expected.toArray();
    StringBuilder out = new StringBuilder();
    for (int t : types) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append(t == Token.EOF ? "end of file" : t == AlanLexer.IDENT ? "a name"
          : t == AlanLexer.NUMBER ? "a number" : AlanLexer.VOCABULARY.getLiteralName(t));
    }
    return types.length == 0 ? "something else" : types.length == 1 ? out.toString() : "one of " + out;
  }
}
