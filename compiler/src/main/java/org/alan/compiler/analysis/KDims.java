package org.alan.compiler.analysis;

import java.util.SortedSet;
import java.util.TreeSet;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ModelIr;

/** The K dimensions (latent groups) an expression depends on. */
public final class KDims {
  private KDims() {}

  public static SortedSet<Integer> of(Ex e, ModelIr model) {
    SortedSet<Integer> out = new TreeSet<>();
    collect(e, model, out);
    return out;
  }

  private static void collect(Ex e, ModelIr model, SortedSet<Integer> out) {
    if (e instanceof Ex.VarRef v) {
      if (model.variable(v.variable()).isLatent()) {
        out.add(model.groupOf(v.variable()));
      }
    } else if (e instanceof Ex.Unary u) {
      collect(u.arg(), model, out);
    } else if (e instanceof Ex.Binary b) {
      collect(b.left(), model, out);
      collect(b.right(), model, out);
    } else if (e instanceof Ex.Reduce r) {
      collect(r.arg(), model, out);
    } else if (e instanceof Ex.Select s) {
      collect(s.vector(), model, out);
      collect(s.index(), model, out);
    } else if (e instanceof Ex.LogMeanExpK l) {
      SortedSet<Integer> inner = new TreeSet<>();
      collect(l.arg(), model, inner);
      inner.removeAll(l.groups());
      out.addAll(inner);
    }
  }
}
