package org.alan.compiler.analysis;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ModelIr;

/** The K dimensions (latent groups) an expression depends on. */
public final class KDims {
  private KDims() {}

  /**
   * The K dimensions of expressions and all their subexpressions, each node's found once from its children's: asking
   * for every node of a tree costs its size, where {@link #of} per node would cost its size times its depth.
   */
  public static final class Memo {
    private final ModelIr model;
    private final Map<Ex, SortedSet<Integer>> known = new HashMap<>();

    public Memo(ModelIr model) {
      this.model = model;
    }

    /** The groups {@code e} reads (unmodifiable, shared with its equal subexpressions). */
    public SortedSet<Integer> of(Ex e) {
      SortedSet<Integer> found = known.get(e);
      if (found != null) {
        return found;
      }
      SortedSet<Integer> out = new TreeSet<>();
      if (e instanceof Ex.VarRef v) {
        if (model.variable(v.variable()).isLatent()) {
          out.add(model.groupOf(v.variable()));
        }
      } else if (e instanceof Ex.Unary u) {
        out.addAll(of(u.arg()));
      } else if (e instanceof Ex.Binary b) {
        out.addAll(of(b.left()));
        out.addAll(of(b.right()));
      } else if (e instanceof Ex.Reduce r) {
        out.addAll(of(r.arg()));
      } else if (e instanceof Ex.Select s) {
        out.addAll(of(s.vector()));
        out.addAll(of(s.index()));
      } else if (e instanceof Ex.LogMeanExpK l) {
        out.addAll(of(l.arg()));
        out.removeAll(l.groups());
      }
      SortedSet<Integer> result = Collections.unmodifiableSortedSet(out);
      known.put(e, result);
      return result;
    }
  }

  /** The groups {@code e} reads, as a set of the caller's own. */
  public static SortedSet<Integer> of(Ex e, ModelIr model) {
    return new TreeSet<>(new Memo(model).of(e));
  }
}
