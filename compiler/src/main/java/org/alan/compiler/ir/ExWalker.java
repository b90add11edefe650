package org.alan.compiler.ir;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/** Traversals of expression trees. */
public final class ExWalker {
  private ExWalker() {}

  /** Visits every node, parents before children. */
  public static void forEach(Ex e, Consumer<Ex> visitor) {
    visitor.accept(e);
    if (e instanceof Ex.Unary u) {
      forEach(u.arg(), visitor);
    } else if (e instanceof Ex.Binary b) {
      forEach(b.left(), visitor);
      forEach(b.right(), visitor);
    } else if (e instanceof Ex.Reduce r) {
      forEach(r.arg(), visitor);
    } else if (e instanceof Ex.Select s) {
      forEach(s.vector(), visitor);
      forEach(s.index(), visitor);
    } else if (e instanceof Ex.LogMeanExpK l) {
      forEach(l.arg(), visitor);
    }
  }

  /** The ids of the variables an expression reads, in first-use order. */
  public static Set<Integer> variables(Ex e) {
    Set<Integer> out = new LinkedHashSet<>();
    forEach(e, n -> {
      if (n instanceof Ex.VarRef v) {
        out.add(v.variable());
      }
    });
    return out;
  }

  /** The ids of the parameters an expression reads. */
  public static Set<Integer> params(Ex e) {
    Set<Integer> out = new LinkedHashSet<>();
    forEach(e, n -> {
      if (n instanceof Ex.ParamRef p) {
        out.add(p.param());
      }
    });
    return out;
  }

  /** Variables read by any argument of a distribution. */
  public static Set<Integer> variables(DistIr d) {
    Set<Integer> out = new LinkedHashSet<>();
    for (Ex a : d.arguments()) {
      out.addAll(variables(a));
    }
    return out;
  }
}
