package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.diag.InternalCompilerError;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.ReduceOp;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Turns expressions into Java statements at a point of a loop nest, shared by the factor kernels and the guide
 * samplers. Every non-leaf value goes to a local (common subexpressions are computed once per region); see
 * {@link KernelEmitter} for the loop-level rules, which apply when {@code materialise} is on. Without it (guide
 * sampling, where every index is fixed) everything is computed at the point.
 */
final class ExprCodegen {
  static final ClassName SUPPORT = ClassName.get("org.alan.runtime.model", "KernelSupport");

  private final ModelIr model;
  private final String where;
  private final int[] rank;
  private final boolean allowMaterialise;
  private final Map<Ex, SortedSet<Integer>> kdimsCache = new HashMap<>();

  /** A materialised subexpression: an array over its event coordinates (outer) and K dimensions (inner). */
  record Mat(int id, Ex node, int[] kdims, Shape shape, int level, CodeBlock code) {}

  private final Map<Ex, Mat> mats = new LinkedHashMap<>();
  private final List<Mat> matOrder = new ArrayList<>();
  private final Set<Ex> matsInProgress = new LinkedHashSet<>();
  private int matCounter;
  private int rowTemps;
  private int locals;
  private int coordCounter;
  private final Set<Integer> usedVariables = new TreeSet<>();
  private final Set<Integer> usedParams = new TreeSet<>();

  /**
   * @param where what is being generated, for internal error messages
   * @param rank the plan's canonical rank of each group (materialised arrays follow it)
   */
  ExprCodegen(ModelIr model, String where, int[] rank, boolean allowMaterialise) {
    this.model = model;
    this.where = where;
    this.rank = rank;
    this.allowMaterialise = allowMaterialise;
  }

  List<Mat> materialised() {
    return matOrder;
  }

  int rowTemporaries() {
    return rowTemps;
  }

  Set<Integer> usedVariables() {
    return usedVariables;
  }

  Set<Integer> usedParams() {
    return usedParams;
  }

  // ------------------------------------------------------------------ contexts

  /** Where code is being emitted: which K dimensions are bound, which is the row, and a CSE cache. */
  final class Ctx {
    final Set<Integer> outer;
    final int row;
    final CodeBlock.Builder code;
    final Ctx parent;
    final Map<Key, String> cache = new HashMap<>();
    /** Inside the row loop: the row dimension is bound to its loop variable. */
    final boolean inRow;

    Ctx(Set<Integer> outer, int row, CodeBlock.Builder code, Ctx parent, boolean inRow) {
      this.outer = outer;
      this.row = row;
      this.code = code;
      this.parent = parent;
      this.inRow = inRow;
    }

    Ctx nested(CodeBlock.Builder body, boolean rowBody) {
      return new Ctx(outer, row, body, this, rowBody || inRow);
    }

    String lookup(Key key) {
      for (Ctx c = this; c != null; c = c.parent) {
        String v = c.cache.get(key);
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }

  record Key(Ex node, List<String> coords, boolean row) {}

  /** A region with the given bound dimensions and row dimension (-1 for none). */
  Ctx context(Set<Integer> outer, int row, CodeBlock.Builder code) {
    return new Ctx(outer, row, code, null, false);
  }

  /** One summand {@code coefficient * node} of the factor; a null node stands for {@code log K}. */
  record Term(double coefficient, Ex node) {}

  static void flattenSum(Ex e, double sign, List<Term> out) {
    if (e instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB) && b.shape().rank() == 0) {
      flattenSum(b.left(), sign, out);
      flattenSum(b.right(), b.op() == BinaryOp.ADD ? sign : -sign, out);
    } else if (e instanceof Ex.Unary u && u.op() == org.alan.compiler.ir.UnaryOp.NEG) {
      flattenSum(u.arg(), -sign, out);
    } else if (e instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.left() instanceof Ex.Const c
        && b.right().shape().rank() == 0 && b.right() instanceof Ex.Reduce) {
      out.add(new Term(sign * c.value(), b.right()));
    } else if (e instanceof Ex.Const c) {
      out.add(new Term(1.0, new Ex.Const(sign * c.value())));
    } else {
      out.add(new Term(sign, e));
    }
  }

  /**
   * Emits {@code dest[base + row] op sum of terms} for every row index in {@code [lo, hi)} (one assignment when
   * the factor has no row dimension), after hoisting everything that does not vary along the row.
   */
  void emitRowLoop(Ctx ctx, String dest, String base, String op, List<Term> terms, List<String> coords,
      String lo, String hi) {
    for (Term t : terms) {
      if (t.node() != null) {
        hoist(t.node(), coords, ctx);
      }
    }
    boolean hasRow = ctx.row >= 0;
    CodeBlock.Builder body = CodeBlock.builder();
    Ctx inner = ctx.nested(body, true);
    List<String> parts = new ArrayList<>();
    for (Term t : terms) {
      String v = t.node() == null ? "logK" : eval(t.node(), coords, inner);
      parts.add(t.coefficient() == 1.0 ? v : t.coefficient() == -1.0 ? "-" + v
          : JavaOps.literal(t.coefficient()) + " * " + v);
    }
    String value = parts.isEmpty() ? "0.0" : String.join(" + ", parts).replace("+ -", "- ");
    String index = hasRow ? base + " + " + kVar(ctx.row) : base;
    body.addStatement("$L[$L] $L $L", dest, index, op, value);
    if (hasRow) {
      ctx.code.beginControlFlow("for (int $L = $L; $L < $L; $L++)", kVar(ctx.row), lo, kVar(ctx.row), hi,
          kVar(ctx.row));
      ctx.code.add(body.build());
      ctx.code.endControlFlow();
    } else {
      ctx.code.add(body.build());
    }
  }

  /** Emits {@code dest[base + row] += coefficient * sum over coordinates of r's argument}. */
  void emitReductionInto(Ctx ctx, String dest, String base, double coefficient, Ex.Reduce r, String lo,
      String hi) {
    reductionLoops(r, List.of(), ctx, (inner, argCoords) ->
        emitRowLoop(inner, dest, base, "+=", List.of(new Term(coefficient, r.arg())), argCoords, lo, hi));
  }

  // ------------------------------------------------------------------ hoisting and evaluation

  private boolean dependsOnRow(Ex n, Ctx ctx) {
    return ctx.row >= 0 && kdims(n).contains(ctx.row);
  }

  /**
   * Prepares a row-loop evaluation of {@code n}: computes, in the current (pre-loop) region, every part of it
   * that does not vary along the row, and every reduction that does (into a row-sized temporary).
   */
  private void hoist(Ex n, List<String> coords, Ctx ctx) {
    if (n instanceof Ex.Const || n instanceof Ex.VarRef || n instanceof Ex.ParamRef) {
      return;
    }
    if (shouldMaterialise(n, ctx)) {
      materialise(n);
      return;
    }
    if (!dependsOnRow(n, ctx)) {
      eval(n, coords, ctx);
      return;
    }
    if (n instanceof Ex.Unary u) {
      hoist(u.arg(), childCoords(coords, u.arg().shape()), ctx);
    } else if (n instanceof Ex.Binary b) {
      hoist(b.left(), childCoords(coords, b.left().shape()), ctx);
      hoist(b.right(), childCoords(coords, b.right().shape()), ctx);
    } else if (n instanceof Ex.Select s) {
      hoist(s.index(), childCoords(coords, s.index().shape()), ctx);
    } else if (n instanceof Ex.Reduce r) {
      rowTemporary(r, coords, ctx);
    } else {
      throw new InternalCompilerError("cannot hoist " + n.getClass().getSimpleName());
    }
  }

  /** Computes a reduction that varies along the row into a row-sized temporary array. */
  private void rowTemporary(Ex.Reduce r, List<String> coords, Ctx ctx) {
    Key key = new Key(r, coords, true);
    if (ctx.lookup(key) != null) {
      return;
    }
    String lo = "0";
    String hi = "K";
    switch (r.op()) {
      case SUM, MIN, MAX -> {
        String temp = newRowTemp();
        String init = switch (r.op()) {
          case SUM -> "0.0";
          case MIN -> "Double.POSITIVE_INFINITY";
          default -> "Double.NEGATIVE_INFINITY";
        };
        ctx.code.addStatement("$T.fill($L, $L)", Arrays.class, temp, init);
        reductionLoops(r, coords, ctx, (inner, argCoords) -> {
          if (r.op() == ReduceOp.SUM) {
            emitRowLoop(inner, temp, "0", "+=", List.of(new Term(1.0, r.arg())), argCoords, lo, hi);
          } else {
            String fn = r.op() == ReduceOp.MIN ? "Math.min" : "Math.max";
            hoist(r.arg(), argCoords, inner);
            CodeBlock.Builder body = CodeBlock.builder();
            Ctx rowCtx = inner.nested(body, true);
            String v = eval(r.arg(), argCoords, rowCtx);
            body.addStatement("$L[$L] = $L($L[$L], $L)", temp, kVar(inner.row), fn, temp, kVar(inner.row), v);
            inner.code.beginControlFlow("for (int $L = 0; $L < K; $L++)", kVar(inner.row), kVar(inner.row),
                kVar(inner.row));
            inner.code.add(body.build());
            inner.code.endControlFlow();
          }
        });
        ctx.cache.put(key, temp + "[" + kVar(ctx.row) + "]");
      }
      case LOGSUMEXP -> {
        String max = newRowTemp();
        String sum = newRowTemp();
        ctx.code.addStatement("$T.fill($L, Double.NEGATIVE_INFINITY)", Arrays.class, max);
        ctx.code.addStatement("$T.fill($L, 0.0)", Arrays.class, sum);
        for (int pass = 0; pass < 2; pass++) {
          final boolean first = pass == 0;
          reductionLoops(r, coords, ctx, (inner, argCoords) -> {
            hoist(r.arg(), argCoords, inner);
            CodeBlock.Builder body = CodeBlock.builder();
            Ctx rowCtx = inner.nested(body, true);
            String v = eval(r.arg(), argCoords, rowCtx);
            String j = kVar(inner.row);
            if (first) {
              body.addStatement("$L[$L] = Math.max($L[$L], $L)", max, j, max, j, v);
            } else {
              body.addStatement("$L[$L] += Math.exp($L - $L[$L])", sum, j, v, max, j);
            }
            inner.code.beginControlFlow("for (int $L = 0; $L < K; $L++)", j, j, j);
            inner.code.add(body.build());
            inner.code.endControlFlow();
          });
        }
        String result = newRowTemp();
        String j = kVar(ctx.row);
        ctx.code.beginControlFlow("for (int $L = 0; $L < K; $L++)", j, j, j);
        ctx.code.addStatement("$L[$L] = $L[$L] + Math.log($L[$L])", result, j, max, j, sum, j);
        ctx.code.endControlFlow();
        ctx.cache.put(key, result + "[" + kVar(ctx.row) + "]");
      }
    }
  }

  private interface ReductionBody {
    void emit(Ctx inner, List<String> argCoords);
  }

  private void reductionLoops(Ex.Reduce r, List<String> coords, Ctx ctx, ReductionBody body) {
    Ex arg = r.arg();
    List<String> argCoords = new ArrayList<>(coords);
    List<String> loops = new ArrayList<>();
    int first = arg.shape().rank() - r.axes();
    for (int a = 0; a < r.axes(); a++) {
      String c = newCoord();
      loops.add(c);
      argCoords.add(c);
      ctx.code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, arg.shape().dim(first + a), c);
    }
    CodeBlock.Builder inside = CodeBlock.builder();
    Ctx inner = new Ctx(ctx.outer, ctx.row, inside, ctx, ctx.inRow);
    body.emit(inner, argCoords);
    ctx.code.add(inside.build());
    for (int a = 0; a < loops.size(); a++) {
      ctx.code.endControlFlow();
    }
  }

  /** Emits code computing {@code n} at {@code coords} in the current region; returns a Java expression. */
  String eval(Ex n, List<String> coords, Ctx ctx) {
    if (n instanceof Ex.Const c) {
      return JavaOps.literal(c.value());
    } else if (n instanceof Ex.VarRef v) {
      return load(v, coords, ctx);
    } else if (n instanceof Ex.ParamRef p) {
      return loadParam(p, coords);
    }
    boolean row = dependsOnRow(n, ctx);
    if (row && !ctx.inRow) {
      throw new InternalCompilerError("row-dependent value evaluated outside the row loop in " + where);
    }
    Key key = new Key(n, coords, row);
    String cached = ctx.lookup(key);
    if (cached != null) {
      return cached;
    }
    if (shouldMaterialise(n, ctx)) {
      return matLoad(materialise(n), coords, ctx);
    }
    String value;
    if (n instanceof Ex.Unary u) {
      value = JavaOps.unary(u.op(), eval(u.arg(), childCoords(coords, u.arg().shape()), ctx));
    } else if (n instanceof Ex.Binary b) {
      value = JavaOps.binary(b.op(), eval(b.left(), childCoords(coords, b.left().shape()), ctx),
          eval(b.right(), childCoords(coords, b.right().shape()), ctx));
    } else if (n instanceof Ex.Select s) {
      String index = eval(s.index(), childCoords(coords, s.index().shape()), ctx);
      List<String> vc = new ArrayList<>(childCoords(coords, s.vector().shape().dropLast()));
      vc.add("(int) " + index);
      value = eval(s.vector(), vc, ctx);
    } else if (n instanceof Ex.Reduce r) {
      value = scalarReduction(r, coords, ctx);
    } else {
      throw new InternalCompilerError("unexpected " + n.getClass().getSimpleName() + " in " + where);
    }
    String local = newLocal();
    ctx.code.addStatement("final double $L = $L", local, value);
    ctx.cache.put(key, local);
    return local;
  }

  /** A reduction that does not vary along the row: an accumulation loop in the current region. */
  private String scalarReduction(Ex.Reduce r, List<String> coords, Ctx ctx) {
    String acc = newLocal();
    switch (r.op()) {
      case SUM, MIN, MAX -> {
        String init = r.op() == ReduceOp.SUM ? "0.0"
            : r.op() == ReduceOp.MIN ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        ctx.code.addStatement("double $L = $L", acc, init);
        reductionLoops(r, coords, ctx, (inner, argCoords) -> {
          String v = eval(r.arg(), argCoords, inner);
          switch (r.op()) {
            case SUM -> inner.code.addStatement("$L += $L", acc, v);
            case MIN -> inner.code.addStatement("$L = Math.min($L, $L)", acc, acc, v);
            default -> inner.code.addStatement("$L = Math.max($L, $L)", acc, acc, v);
          }
        });
      }
      case LOGSUMEXP -> {
        String max = newLocal();
        ctx.code.addStatement("double $L = Double.NEGATIVE_INFINITY", max);
        reductionLoops(r, coords, ctx, (inner, argCoords) ->
            inner.code.addStatement("$L = Math.max($L, $L)", max, max, eval(r.arg(), argCoords, inner)));
        ctx.code.addStatement("double $L = 0.0", acc);
        reductionLoops(r, coords, ctx, (inner, argCoords) ->
            inner.code.addStatement("$L += Math.exp($L - $L)", acc, eval(r.arg(), argCoords, inner), max));
        ctx.code.addStatement("$L = $L + Math.log($L)", acc, max, acc);
      }
    }
    return acc;
  }

  // ------------------------------------------------------------------ materialisation

  /** Whether evaluating {@code n} inline in this context would repeat work that an array can hold once. */
  private boolean shouldMaterialise(Ex n, Ctx ctx) {
    if (n instanceof Ex.Const || n instanceof Ex.VarRef || n instanceof Ex.ParamRef) {
      return false;
    }
    if (!allowMaterialise) {
      return false;
    }
    if (n instanceof Ex.LogMeanExpK) {
      return true;
    }
    if (matsInProgress.contains(n)) {
      return false;
    }
    SortedSet<Integer> kd = kdims(n);
    if (dependsOnRow(n, ctx)) {
      return !without(kd, ctx.row).equals(ctx.outer);
    }
    if (kd.equals(ctx.outer)) {
      return false;
    }
    return costly(n);
  }

  private boolean costly(Ex n) {
    boolean[] found = {false};
    org.alan.compiler.ir.ExWalker.forEach(n, x -> found[0] |= x instanceof Ex.Reduce || x instanceof Ex.LogMeanExpK);
    return found[0];
  }

  private Mat materialise(Ex n) {
    Mat existing = mats.get(n);
    if (existing != null) {
      return existing;
    }
    int id = matCounter++;
    int[] kd = canonical(kdims(n));
    Shape shape = n.shape();
    matsInProgress.add(n);
    CodeBlock.Builder code = CodeBlock.builder();
    String array = "m" + id;
    if (n instanceof Ex.LogMeanExpK l) {
      Mat arg = materialiseForced(l.arg());
      boolean[] reduce = new boolean[arg.kdims().length];
      StringBuilder mask = new StringBuilder();
      for (int i = 0; i < reduce.length; i++) {
        reduce[i] = l.groups().contains(arg.kdims()[i]);
        mask.append(i > 0 ? ", " : "").append(reduce[i]);
      }
      code.addStatement("$T.logMeanExp(m$L, K, new boolean[] {$L}, $L)", SUPPORT, arg.id(), mask, array);
    } else {
      materialisationLoops(n, kd, shape, array, code);
    }
    matsInProgress.remove(n);
    Mat mat = new Mat(id, n, kd, shape, level(n), code.build());
    mats.put(n, mat);
    matOrder.add(mat);
    return mat;
  }

  /** Materialises a node even where the rules would compute it inline (the argument of a mixture). */
  private Mat materialiseForced(Ex n) {
    Mat existing = mats.get(n);
    if (existing != null) {
      return existing;
    }
    int id = matCounter++;
    int[] kd = canonical(kdims(n));
    matsInProgress.add(n);
    CodeBlock.Builder code = CodeBlock.builder();
    materialisationLoops(n, kd, n.shape(), "m" + id, code);
    matsInProgress.remove(n);
    Mat mat = new Mat(id, n, kd, n.shape(), level(n), code.build());
    mats.put(n, mat);
    matOrder.add(mat);
    return mat;
  }

  private void materialisationLoops(Ex n, int[] kd, Shape shape, String array, CodeBlock.Builder code) {
    List<String> coords = new ArrayList<>();
    for (int a = 0; a < shape.rank(); a++) {
      String c = newCoord();
      coords.add(c);
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, shape.dim(a), c);
    }
    Set<Integer> outer = new LinkedHashSet<>();
    for (int i = 0; i < kd.length - 1; i++) {
      outer.add(kd[i]);
      code.beginControlFlow("for (int $L = 0; $L < K; $L++)", kVar(kd[i]), kVar(kd[i]), kVar(kd[i]));
    }
    int row = kd.length == 0 ? -1 : kd[kd.length - 1];
    String base = matBase(kd, shape, coords, false);
    Ctx ctx = new Ctx(outer, row, code, null, false);
    emitRowLoop(ctx, array, base, "=", List.of(new Term(1.0, n)), coords, "0", "K");
    for (int i = 0; i < kd.length - 1; i++) {
      code.endControlFlow();
    }
    for (int a = 0; a < shape.rank(); a++) {
      code.endControlFlow();
    }
  }

  /** Index of the start of the row (or the single entry) of a materialised array at the given point. */
  private String matBase(int[] kd, Shape shape, List<String> coords, boolean includeRow) {
    String flat = coordFlat(shape, coords);
    StringBuilder horner = new StringBuilder(flat);
    int n = includeRow ? kd.length : kd.length - 1;
    for (int i = 0; i < n; i++) {
      horner = new StringBuilder("(" + horner + ") * K + " + kVar(kd[i]));
    }
    if (!includeRow && kd.length > 0) {
      horner = new StringBuilder("(" + horner + ") * K");
    }
    return horner.toString();
  }

  private String matLoad(Mat m, List<String> coords, Ctx ctx) {
    for (int g : m.kdims()) {
      if (!ctx.outer.contains(g) && g != ctx.row) {
        throw new InternalCompilerError("dimension " + g + " unbound when reading a materialised value in "
            + where);
      }
    }
    return "m" + m.id() + "[" + matBase(m.kdims(), m.shape(), childCoords(coords, m.shape()), true) + "]";
  }

  /** The deepest plate any leaf of {@code n} lives in: when its element changes, {@code n} must be recomputed. */
  private int level(Ex n) {
    int[] deepest = {0};
    org.alan.compiler.ir.ExWalker.forEach(n, x -> {
      int plate = -1;
      if (x instanceof Ex.VarRef v) {
        plate = model.variable(v.variable()).plate();
      } else if (x instanceof Ex.ParamRef p) {
        plate = model.params().get(p.param()).plate();
      }
      if (plate >= 0 && model.plate(plate).depth() > model.plate(deepest[0]).depth()) {
        deepest[0] = plate;
      }
    });
    return deepest[0];
  }

  // ------------------------------------------------------------------ leaves

  private String load(Ex.VarRef v, List<String> coords, Ctx ctx) {
    VariableIr var = model.variable(v.variable());
    usedVariables.add(var.id());
    String c = coordFlat(var.eventShape(), childCoords(coords, var.eventShape()));
    if (var.kind() == VarKind.LATENT) {
      int g = model.groupOf(var.id());
      if (!ctx.outer.contains(g) && !(g == ctx.row && ctx.inRow)) {
        throw new InternalCompilerError("particle index of '" + var.name() + "' unbound in " + where);
      }
      String offset = c.equals("0") ? "" : " + (" + c + ") * K";
      return "z" + var.id() + "[bz" + var.id() + offset + " + " + kVar(g) + "]";
    }
    return "x" + var.id() + "[bx" + var.id() + (c.equals("0") ? "" : " + " + c) + "]";
  }

  private String loadParam(Ex.ParamRef p, List<String> coords) {
    ParamIr param = model.params().get(p.param());
    usedParams.add(param.id());
    String c = coordFlat(param.shape(), childCoords(coords, param.shape()));
    return "q" + param.id() + "[bq" + param.id() + (c.equals("0") ? "" : " + " + c) + "]";
  }

  // ------------------------------------------------------------------ helpers

  SortedSet<Integer> kdims(Ex n) {
    return kdimsCache.computeIfAbsent(n, x -> KDims.of(x, model));
  }

  static SortedSet<Integer> without(SortedSet<Integer> kd, int dim) {
    SortedSet<Integer> out = new TreeSet<>(kd);
    out.remove(dim);
    return out;
  }

  private int[] canonical(SortedSet<Integer> kd) {
    return kd.stream().sorted((a, b) -> Integer.compare(rank[a], rank[b])).mapToInt(Integer::intValue).toArray();
  }

  static List<String> childCoords(List<String> coords, Shape child) {
    int r = coords.size();
    int rc = child.rank();
    if (rc > r) {
      throw new InternalCompilerError("a value of shape " + child + " is read at " + r + " coordinates");
    }
    List<String> out = new ArrayList<>(rc);
    for (int i = 0; i < rc; i++) {
      out.add(child.dim(i) == 1 ? "0" : coords.get(r - rc + i));
    }
    return out;
  }

  private static String coordFlat(Shape shape, List<String> coords) {
    if (shape.rank() == 0) {
      return "0";
    }
    String flat = coords.get(0);
    for (int i = 1; i < shape.rank(); i++) {
      flat = "(" + flat + ") * " + shape.dim(i) + " + " + coords.get(i);
    }
    return flat;
  }

  static String kVar(int group) {
    return "k" + group;
  }

  private String newLocal() {
    return "t" + locals++;
  }

  private String newRowTemp() {
    return "r" + rowTemps++;
  }

  private String newCoord() {
    return "c" + coordCounter++;
  }

}
