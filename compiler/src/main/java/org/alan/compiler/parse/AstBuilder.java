package org.alan.compiler.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.alan.compiler.ast.Argument;
import org.alan.compiler.ast.Binary;
import org.alan.compiler.ast.Call;
import org.alan.compiler.ast.VectorLit;
import org.alan.compiler.ast.TargetStmt;
import org.alan.compiler.ast.Slice;
import org.alan.compiler.ast.Truncation;
import org.alan.compiler.ast.DataStmt;
import org.alan.compiler.ast.Declaration;
import org.alan.compiler.ast.Expr;
import org.alan.compiler.ast.GroupStmt;
import org.alan.compiler.ast.GuideDecl;
import org.alan.compiler.ast.Identifier;
import org.alan.compiler.ast.Index;
import org.alan.compiler.ast.InputStmt;
import org.alan.compiler.ast.IntLiteral;
import org.alan.compiler.ast.LatentStmt;
import org.alan.compiler.ast.LetStmt;
import org.alan.compiler.ast.ModelDecl;
import org.alan.compiler.ast.NameRef;
import org.alan.compiler.ast.NumberLit;
import org.alan.compiler.ast.ParamStmt;
import org.alan.compiler.ast.PlateStmt;
import org.alan.compiler.ast.Program;
import org.alan.compiler.ast.Statement;
import org.alan.compiler.ast.Unary;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.source.SourceSpan;
import org.alan.grammar.AlanParser;
import org.alan.grammar.AlanParserBaseVisitor;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Turns the ANTLR parse tree into the AST. Each visit builds exactly one node, span first. */
final class AstBuilder extends AlanParserBaseVisitor<Object> {
  private final List<Diagnostic> errors;

  AstBuilder(List<Diagnostic> errors) {
    this.errors = errors;
  }

  @Override
  public Program visitProgram(AlanParser.ProgramContext ctx) {
    List<Declaration> declarations = new ArrayList<>();
    for (AlanParser.DeclarationContext d : ctx.declaration()) {
      declarations.add((Declaration) visit(d));
    }
    return new Program(span(ctx), declarations);
  }

  @Override
  public ModelDecl visitModelDeclaration(AlanParser.ModelDeclarationContext ctx) {
    return new ModelDecl(span(ctx), identifier(ctx.name), statements(ctx.statement()));
  }

  @Override
  public GuideDecl visitGuideDeclaration(AlanParser.GuideDeclarationContext ctx) {
    return new GuideDecl(span(ctx), identifier(ctx.name), statements(ctx.statement()));
  }

  @Override
  public PlateStmt visitPlateStatement(AlanParser.PlateStatementContext ctx) {
    Optional<IntLiteral> size = ctx.size == null ? Optional.empty() : Optional.of(positiveInteger(ctx.size, "a plate size"));
    Optional<Identifier> option = ctx.option == null ? Optional.empty() : Optional.of(identifier(ctx.option));
    return new PlateStmt(span(ctx), identifier(ctx.name), size, option, statements(ctx.statement()));
  }

  @Override
  public GroupStmt visitGroupStatement(AlanParser.GroupStatementContext ctx) {
    return new GroupStmt(span(ctx), identifier(ctx.name), statements(ctx.statement()));
  }

  @Override
  public InputStmt visitInputStatement(AlanParser.InputStatementContext ctx) {
    Optional<InputStmt.IndexTarget> index = Optional.empty();
    AlanParser.IndexTargetContext target = ctx.indexTarget();
    if (target != null) {
      NumberLit value = target.value == null ? null
          : new NumberLit(ProgramParser.span(target.value), Double.parseDouble(target.value.getText()), target.value.getText());
      index = Optional.of(new InputStmt.IndexTarget(span(target), identifier(target.plate),
          target.option == null ? null : identifier(target.option), value));
    }
    return new InputStmt(span(ctx), identifier(ctx.name), shape(ctx.shape()), index);
  }

  @Override
  public DataStmt visitDataStatement(AlanParser.DataStatementContext ctx) {
    return new DataStmt(span(ctx), identifier(ctx.name), shape(ctx.shape()), visitCall(ctx.call()),
        truncation(ctx.truncation()));
  }

  @Override
  public LatentStmt visitLatentStatement(AlanParser.LatentStatementContext ctx) {
    return new LatentStmt(span(ctx), identifier(ctx.name), shape(ctx.shape()), visitCall(ctx.call()),
        truncation(ctx.truncation()));
  }

  private Optional<Truncation> truncation(AlanParser.TruncationContext ctx) {
    if (ctx == null) {
      return Optional.empty();
    }
    return Optional.of(new Truncation(span(ctx), identifier(ctx.marker), Optional.ofNullable(ctx.lower).map(this::expression),
        Optional.ofNullable(ctx.upper).map(this::expression)));
  }

  @Override
  public LetStmt visitLetStatement(AlanParser.LetStatementContext ctx) {
    return new LetStmt(span(ctx), identifier(ctx.name), expression(ctx.expression()));
  }

  @Override
  public ParamStmt visitParamStatement(AlanParser.ParamStatementContext ctx) {
    return new ParamStmt(span(ctx), identifier(ctx.name), shape(ctx.shape()), expression(ctx.init));
  }

  @Override
  public Call visitCall(AlanParser.CallContext ctx) {
    List<Argument> arguments = new ArrayList<>();
    for (AlanParser.ArgumentContext a : ctx.argument()) {
      Optional<Identifier> name = a.name == null ? Optional.empty() : Optional.of(identifier(a.name));
      arguments.add(new Argument(span(a), name, expression(a.expression())));
    }
    int bar = Call.NO_BAR;
    for (int i = 0; i < ctx.separators.size(); i++) {
      if (ctx.separators.get(i).getType() == AlanParser.PIPE) {
        bar = bar == Call.NO_BAR ? i + 1 : Call.BARS;
      }
    }
    return new Call(span(ctx), identifier(ctx.function), arguments, bar);
  }

  @Override
  public TargetStmt visitTargetStatement(AlanParser.TargetStatementContext ctx) {
    return new TargetStmt(span(ctx), identifier(ctx.name), expression(ctx.expression()));
  }

  @Override
  public Expr visitPowerExpression(AlanParser.PowerExpressionContext ctx) {
    return new Binary(span(ctx), Binary.Op.POW, expression(ctx.base), expression(ctx.exponent));
  }

  @Override
  public Expr visitNegateExpression(AlanParser.NegateExpressionContext ctx) {
    return new Unary(span(ctx), expression(ctx.operand));
  }

  @Override
  public Expr visitMultiplicativeExpression(AlanParser.MultiplicativeExpressionContext ctx) {
    Binary.Op op = ctx.op.getType() == AlanParser.STAR ? Binary.Op.MUL : Binary.Op.DIV;
    return new Binary(span(ctx), op, expression(ctx.left), expression(ctx.right));
  }

  @Override
  public Expr visitComparisonExpression(AlanParser.ComparisonExpressionContext ctx) {
    Binary.Op op = switch (ctx.op.getType()) {
      case AlanParser.LT -> Binary.Op.LT;
      case AlanParser.LE -> Binary.Op.LE;
      case AlanParser.GT -> Binary.Op.GT;
      case AlanParser.GE -> Binary.Op.GE;
      case AlanParser.EQ -> Binary.Op.EQ;
      default -> Binary.Op.NE;
    };
    return new Binary(span(ctx), op, expression(ctx.left), expression(ctx.right));
  }

  @Override
  public Expr visitAdditiveExpression(AlanParser.AdditiveExpressionContext ctx) {
    Binary.Op op = ctx.op.getType() == AlanParser.PLUS ? Binary.Op.ADD : Binary.Op.SUB;
    return new Binary(span(ctx), op, expression(ctx.left), expression(ctx.right));
  }

  @Override
  public Expr visitCallExpression(AlanParser.CallExpressionContext ctx) {
    return visitCall(ctx.call());
  }

  @Override
  public Expr visitNumberExpression(AlanParser.NumberExpressionContext ctx) {
    String text = ctx.NUMBER().getText();
    return new NumberLit(span(ctx), Double.parseDouble(text), text);
  }

  @Override
  public Expr visitVectorExpression(AlanParser.VectorExpressionContext ctx) {
    return new VectorLit(span(ctx), ctx.expression().stream().map(this::expression).toList());
  }

  @Override
  public Expr visitSliceExpression(AlanParser.SliceExpressionContext ctx) {
    return new Slice(span(ctx), expression(ctx.base), Optional.ofNullable(ctx.lower).map(this::expression),
        Optional.ofNullable(ctx.upper).map(this::expression));
  }

  @Override
  public Expr visitIndexExpression(AlanParser.IndexExpressionContext ctx) {
    return new Index(span(ctx), expression(ctx.base), expression(ctx.index));
  }

  @Override
  public Expr visitNameExpression(AlanParser.NameExpressionContext ctx) {
    return new NameRef(span(ctx), unquoted(ctx.IDENT().getText()));
  }

  @Override
  public Expr visitParenthesizedExpression(AlanParser.ParenthesizedExpressionContext ctx) {
    return expression(ctx.inner);
  }

  private Expr expression(AlanParser.ExpressionContext ctx) {
    return (Expr) visit(ctx);
  }

  private List<Statement> statements(List<AlanParser.StatementContext> contexts) {
    List<Statement> out = new ArrayList<>();
    for (AlanParser.StatementContext s : contexts) {
      out.add((Statement) visit(s));
    }
    return out;
  }

  private List<IntLiteral> shape(AlanParser.ShapeContext ctx) {
    List<IntLiteral> dims = new ArrayList<>();
    if (ctx != null) {
      for (var number : ctx.NUMBER()) {
        dims.add(positiveInteger(number.getSymbol(), "an event-shape extent"));
      }
    }
    return dims;
  }

  private IntLiteral positiveInteger(Token token, String what) {
    SourceSpan span = ProgramParser.span(token);
    String text = token.getText();
    int value = 0;
    boolean ok = text.chars().allMatch(Character::isDigit);
    if (ok) {
      try {
        value = Integer.parseInt(text);
        ok = value > 0;
      } catch (NumberFormatException tooLarge) {
        ok = false;
      }
    }
    if (!ok) {
      errors.add(SyntaxErrors.notPositiveInteger(span, what, text));
      value = 1;
    }
    return new IntLiteral(span, value);
  }

  /** Longest name accepted: model names become file names, and every name a Java string constant. */
  static final int MAX_NAME_LENGTH = 200;

  private Identifier identifier(Token token) {
    Identifier id = new Identifier(ProgramParser.span(token), unquoted(token.getText()));
    if (id.text().length() > MAX_NAME_LENGTH) {
      errors.add(SyntaxErrors.nameTooLong(id.span(), id.text(), MAX_NAME_LENGTH));
    }
    return id;
  }

  /** A name as written, without the backticks that let a reserved word be one. */
  private static String unquoted(String text) {
    return text.startsWith("`") ? text.substring(1, text.length() - 1) : text;
  }

  private static SourceSpan span(ParserRuleContext ctx) {
    Token start = ctx.getStart();
    Token stop = ctx.getStop();
    int begin = Math.max(0, start.getStartIndex());
    int end = stop == null || stop.getType() == Token.EOF ? begin : Math.max(begin, stop.getStopIndex() + 1);
    return new SourceSpan(begin, end, start.getLine(), start.getCharPositionInLine() + 1);
  }
}
