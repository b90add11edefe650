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

  /**
   * The number of nodes of the expression written out as a tree, counting shared subexpressions once per use;
   * linear in the number of distinct nodes, and saturating at {@link Long#MAX_VALUE}.
   */
  public static long treeSize(Ex e) {
    return treeSize(e, new java.util.IdentityHashMap<>());
  }

  private static long treeSize(Ex e, java.util.Map<Ex, Long> known) {
    Long cached = known.get(e);
    if (cached != null) {
      return cached;
    }
    long size = 1;
    if (e instanceof Ex.Unary u) {
      size = add(size, treeSize(u.arg(), known));
    } else if (e instanceof Ex.Binary b) {
      size = add(add(size, treeSize(b.left(), known)), treeSize(b.right(), known));
    } else if (e instanceof Ex.Reduce r) {
      size = add(size, treeSize(r.arg(), known));
    } else if (e instanceof Ex.Select s) {
      size = add(add(size, treeSize(s.vector(), known)), treeSize(s.index(), known));
    } else if (e instanceof Ex.LogMeanExpK l) {
      size = add(size, treeSize(l.arg(), known));
    }
    known.put(e, size);
    return size;
  }

  private static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
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
    if (d.truncated()) {
      out.addAll(variables(d.lower()));
      out.addAll(variables(d.upper()));
    }
    return out;
  }
}
