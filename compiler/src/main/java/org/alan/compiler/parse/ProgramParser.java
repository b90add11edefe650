package org.alan.compiler.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.alan.compiler.ast.Program;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.source.SourceFile;
import org.alan.compiler.source.SourceSpan;
import org.alan.grammar.AlanLexer;
import org.alan.grammar.AlanParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Parses a source file into an AST. Only the first syntax error is reported (what follows it is usually
 * noise), with a curated message: ANTLR's own texts ("mismatched input ... expecting {...}") never reach
 * users. Parsing tries fast SLL prediction first and falls back to full LL only when SLL fails.
 */
public final class ProgramParser {
  private ProgramParser() {}

  /** The AST, or empty when a syntax error was reported to {@code diagnostics}. */
  public static Optional<Program> parse(SourceFile file, Diagnostics diagnostics) {
    try {
      return Optional.of(parse(file, PredictionMode.SLL, diagnostics, false));
    } catch (ParseCancellationException sllFailed) {
      try {
        return Optional.of(parse(file, PredictionMode.LL, diagnostics, true));
      } catch (ParseCancellationException reported) {
        return Optional.empty();
      }
    }
  }

  private static Program parse(SourceFile file, PredictionMode mode, Diagnostics diagnostics, boolean report) {
    AlanLexer lexer = new AlanLexer(CharStreams.fromString(file.text(), file.name()));
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(lexer);
    AlanParser parser = new AlanParser(tokens);
    parser.getInterpreter().setPredictionMode(mode);
    parser.removeErrorListeners();
    parser.setErrorHandler(new NoRepairStrategy());
    parser.addErrorListener(new FirstErrorListener(report ? diagnostics : null));
    AlanParser.ProgramContext tree = parser.program();
    List<Diagnostic> literalErrors = new ArrayList<>();
    Program program = new AstBuilder(literalErrors).visitProgram(tree);
    literalErrors.forEach(diagnostics::report);
    return program;
  }

  /**
   * ANTLR would otherwise silently insert or delete a token and carry on, which yields confusing follow-up
   * errors; we stop at the first problem instead.
   */
  private static final class NoRepairStrategy extends DefaultErrorStrategy {
    @Override
    public Token recoverInline(Parser recognizer) {
      InputMismatchException e = new InputMismatchException(recognizer);
      reportError(recognizer, e);
      throw new ParseCancellationException(e);
    }

    @Override
    public void recover(Parser recognizer, RecognitionException e) {
      throw new ParseCancellationException(e);
    }

    @Override
    public void sync(Parser recognizer) {
      // no resynchronisation: errors surface at the token that caused them
    }
  }

  private static final class FirstErrorListener extends BaseErrorListener {
    private final Diagnostics diagnostics;

    FirstErrorListener(Diagnostics diagnostics) {
      this.diagnostics = diagnostics;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
        String msg, RecognitionException e) {
      if (diagnostics != null) {
        Parser parser = (Parser) recognizer;
        Token offending = (Token) offendingSymbol;
        IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
        ParserRuleContext context = e != null && e.getCtx() instanceof ParserRuleContext c ? c : parser.getContext();
        diagnostics.report(SyntaxErrorClassifier.classify(parser, offending, expected, context));
      }
      throw new ParseCancellationException(msg);
    }
  }

  static SourceSpan span(Token token) {
    int begin = Math.max(0, token.getStartIndex());
    int end = token.getType() == Token.EOF ? begin : token.getStopIndex() + 1;
    return new SourceSpan(begin, Math.max(begin, end), token.getLine(), token.getCharPositionInLine() + 1);
  }
}
