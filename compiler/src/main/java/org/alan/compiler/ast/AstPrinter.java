package org.alan.compiler.ast;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints an AST as canonical {@code .alan} source (two-space indentation, minimal parentheses). Parsing the
 * output gives the same tree up to spans; {@code --debug-ast} uses it.
 */
public final class AstPrinter {
  private AstPrinter() {}

  public static String print(Program program) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < program.declarations().size(); i++) {
      if (i > 0) {
        out.append('\n');
      }
      Declaration d = program.declarations().get(i);
      out.append(d instanceof ModelDecl ? "model " : "guide ").append(d.name().text()).append(" {\n");
      printBlock(out, d.body(), 1);
      out.append("}\n");
    }
    return out.toString();
  }

  private static void printBlock(StringBuilder out, List<Statement> body, int depth) {
    for (Statement s : body) {
      printStatement(out, s, depth);
    }
  }

  private static void printStatement(StringBuilder out, Statement s, int depth) {
    String indent = "  ".repeat(depth);
    out.append(indent);
    if (s instanceof PlateStmt p) {
      out.append("plate ").append(name(p.name().text()));
      p.size().ifPresent(size -> out.append('(').append(size.value()).append(')'));
      p.option().ifPresent(option -> out.append('(').append(option.text()).append(')'));
      out.append(" {\n");
      printBlock(out, p.body(), depth + 1);
      out.append(indent).append("}\n");
    } else if (s instanceof GroupStmt g) {
      out.append("group ").append(name(g.name().text())).append(" {\n");
      printBlock(out, g.body(), depth + 1);
      out.append(indent).append("}\n");
    } else if (s instanceof InputStmt i) {
      out.append("input ").append(name(i.name().text())).append(shape(i.shape()));
      i.index().ifPresent(t -> {
        out.append(" : ").append(name(t.plate().text()));
        if (t.option() != null) {
          out.append('(').append(t.option().text()).append(" = ").append(t.value().text()).append(')');
        }
      });
      out.append(";\n");
    } else if (s instanceof DataStmt d) {
      out.append("data ").append(name(d.name().text())).append(shape(d.shape())).append(" ~ ")
          .append(expression(d.distribution())).append(truncation(d.truncation())).append(";\n");
    } else if (s instanceof LatentStmt l) {
      out.append(name(l.name().text())).append(shape(l.shape())).append(" ~ ")
          .append(expression(l.distribution())).append(truncation(l.truncation())).append(";\n");
    } else if (s instanceof TargetStmt t) {
      out.append(name(t.name().text())).append(" += ").append(expression(t.value())).append(";\n");
    } else if (s instanceof LetStmt l) {
      out.append("let ").append(name(l.name().text())).append(" = ").append(expression(l.value()))
          .append(";\n");
    } else if (s instanceof ParamStmt p) {
      out.append("param ").append(name(p.name().text())).append(shape(p.shape())).append(" = ")
          .append(expression(p.init())).append(";\n");
    }
  }

  /** The words of the lexer that a name must be quoted to be. */
  private static final java.util.Set<String> RESERVED = java.util.Set.of("model", "guide", "plate", "group", "input",
      "data", "let", "param", "timeseries", "prev");

  /** A name as it must be written: in backticks when it is a reserved word. */
  private static String name(String text) {
    return RESERVED.contains(text) ? "`" + text + "`" : text;
  }

  private static String shape(List<IntLiteral> shape) {
    if (shape.isEmpty()) {
      return "";
    }
    return shape.stream().map(d -> String.valueOf(d.value())).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Prints an expression with the parentheses its structure needs. */
  private static String truncation(java.util.Optional<Truncation> t) {
    return t.map(x -> " T[" + x.lower().map(AstPrinter::expression).orElse("") + ", "
        + x.upper().map(AstPrinter::expression).orElse("") + "]").orElse("");
  }

  public static String expression(Expr e) {
    return expression(e, 0);
  }

  private static String expression(Expr e, int context) {
    if (e instanceof NumberLit n) {
      return n.text();
    } else if (e instanceof NameRef n) {
      return name(n.name());
    } else if (e instanceof Index i) {
      return expression(i.base(), 5) + "[" + expression(i.index(), 0) + "]";
    } else if (e instanceof Call c) {
      StringBuilder out = new StringBuilder(c.function().text()).append('(');
      for (int i = 0; i < c.arguments().size(); i++) {
        Argument a = c.arguments().get(i);
        out.append(i == 0 ? "" : i == c.bar() ? " | " : ", ").append(a.name().map(n -> n.text() + " = ").orElse(""))
            .append(expression(a.value(), 0));
      }
      return out.append(')').toString();
    } else if (e instanceof Slice sl) {
      return expression(sl.base(), 5) + "[" + sl.lower().map(x -> expression(x, 0)).orElse("") + ":"
          + sl.upper().map(x -> expression(x, 0)).orElse("") + "]";
    } else if (e instanceof VectorLit v) {
      return v.elements().stream().map(x -> expression(x, 0)).collect(Collectors.joining(", ", "[", "]"));
    } else if (e instanceof Unary u) {
      return parenthesise("-" + expression(u.operand(), 3), 3, context);
    } else if (e instanceof Binary b) {
      int p = b.op().precedence();
      // left-associative operators need parentheses on an equal-precedence right operand; ^ is the reverse
      int leftContext = b.op() == Binary.Op.POW ? p + 1 : p;
      int rightContext = b.op() == Binary.Op.POW ? p : p + 1;
      return parenthesise(expression(b.left(), leftContext) + " " + b.op().symbol() + " "
          + expression(b.right(), rightContext), p, context);
    }
    throw new IllegalArgumentException(e.getClass().getName());
  }

  private static String parenthesise(String s, int precedence, int context) {
    return precedence < context ? "(" + s + ")" : s;
  }
}
