package org.alan.compiler.ir;

import java.util.stream.Collectors;

/** Prints a {@link ModelIr} for {@code --debug-ir} and golden tests: deterministic, one fact per line. */
public final class IrPrinter {
  private IrPrinter() {}

  public static String print(ModelIr m) {
    StringBuilder out = new StringBuilder();
    out.append("model ").append(m.name()).append(m.automaticGuide() ? " (automatic guide)" : "").append('\n');
    for (PlateIr p : m.plates()) {
      if (!p.isTop()) {
        out.append("  plate ").append(p.name()).append(" in ").append(plateName(m, p.parent()))
            .append(p.fixedSize().isPresent() ? " size " + p.fixedSize().getAsInt() : " size from data").append('\n');
      }
    }
    for (VariableIr v : m.variables()) {
      out.append("  ").append(v.kind().name().toLowerCase()).append(' ').append(v.name()).append(v.eventShape())
          .append(" in ").append(plateName(m, v.plate()));
      if (v.prior() != null) {
        out.append(" ~ ").append(dist(m, v.prior()));
      }
      out.append('\n');
    }
    for (GroupIr g : m.groups()) {
      out.append("  group ").append(g.name()).append(" in ").append(plateName(m, g.plate())).append(':');
      for (int v : g.members()) {
        out.append(' ').append(m.variable(v).name()).append(" ~ ").append(dist(m, m.proposal(v))).append(';');
      }
      out.append('\n');
    }
    for (ParamIr p : m.params()) {
      out.append("  param ").append(p.name()).append(' ').append(p.kind().alanName()).append('(')
          .append(p.init()).append(") shape ").append(p.shape()).append(" over ").append(plateName(m, p.plate()))
          .append('\n');
    }
    return out.toString();
  }

  private static String plateName(ModelIr m, int plate) {
    return plate == PlateIr.TOP ? "<top>" : m.plate(plate).name();
  }

  public static String dist(ModelIr m, DistIr d) {
    return d.family().alanName() + d.arguments().stream().map(a -> expression(m, a))
        .collect(Collectors.joining(", ", "(", ")"));
  }

  public static String expression(ModelIr m, Ex e) {
    if (e instanceof Ex.Const c) {
      return c.value() == Math.rint(c.value()) && Math.abs(c.value()) < 1e15
          ? String.valueOf((long) c.value()) : String.valueOf(c.value());
    } else if (e instanceof Ex.VarRef v) {
      return m == null ? "v" + v.variable() : m.variable(v.variable()).name();
    } else if (e instanceof Ex.ParamRef p) {
      return m == null ? "p" + p.param() : m.params().get(p.param()).name();
    } else if (e instanceof Ex.Unary u) {
      return u.op().name().toLowerCase() + "(" + expression(m, u.arg()) + ")";
    } else if (e instanceof Ex.Binary b) {
      return b.op().isInfix()
          ? "(" + expression(m, b.left()) + " " + b.op().symbol() + " " + expression(m, b.right()) + ")"
          : b.op().symbol() + "(" + expression(m, b.left()) + ", " + expression(m, b.right()) + ")";
    } else if (e instanceof Ex.Reduce r) {
      return r.op().name().toLowerCase() + "_last" + r.axes() + "(" + expression(m, r.arg()) + ")";
    } else if (e instanceof Ex.Select s) {
      return expression(m, s.vector()) + "[" + expression(m, s.index()) + "]";
    } else if (e instanceof Ex.LogMeanExpK l) {
      return "logmeanexp_K" + l.groups() + "(" + expression(m, l.arg()) + ")";
    }
    throw new IllegalArgumentException(e.getClass().getName());
  }
}
