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
import java.util.TreeSet;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.diag.InternalCompilerError;
import org.alan.compiler.ir.BinaryOp;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ExWalker;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.ReduceOp;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.UnaryOp;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Turns expressions into Java statements inside a loop nest over K dimensions, shared by the factor kernels and
 * the guide samplers.
 *
 * <p>A region of code has <em>bound</em> dimensions (fixed by enclosing loops) and optionally a <em>span</em>:
 * trailing dimensions flattened into one innermost loop variable {@code j}. Every non-leaf value goes to a
 * local, and equal subexpressions at the same point are computed once (a cache per region, visible in nested
 * regions). Where {@code materialise} is on (kernels), a subexpression whose K dimensions are fewer than the
 * loops around it is turned into an array over exactly its own dimensions, computed once per plate element (see
 * {@link KernelEmitter}); without it (guide sampling, where every index is fixed) everything is computed in place.
 */
final class ExprCodegen {
  static final ClassName SUPPORT = ClassName.get("org.alan.runtime.model", "KernelSupport");
  static final String SPAN = "j";

  private final ModelIr model;
  private final String where;
  private final int[] rank;
  private final boolean allowMaterialise;
  private final boolean vector;
  /** Off while emitting materialisation code: it runs once per element, and scalar loops keep prepare small. */
  private boolean vectorHere;
  private final KDims.Memo kdims;

  /** A materialised subexpression: an array over its event coordinates (outer) and K dimensions (inner). */
  record Mat(int id, Ex node, int[] kdims, Shape shape, int level, CodeBlock code) {}

  private final Map<Ex, Mat> mats = new LinkedHashMap<>();
  private final List<Mat> matOrder = new ArrayList<>();
  private final Set<Ex> matsInProgress = new LinkedHashSet<>();
  private int matCounter;
  private int spanTemps;
  private int locals;
  private int coordCounter;
  private final Set<Integer> usedVariables = new TreeSet<>();
  private final Set<Integer> usedParams = new TreeSet<>();

  /**
   * @param where what is being generated, for internal error messages
   * @param rank the plan's canonical rank of each group (materialised arrays follow it)
   */
  ExprCodegen(ModelIr model, String where, int[] rank, boolean allowMaterialise) {
    this(model, where, rank, allowMaterialise, false);
  }

  /**
   * @param vector emit span loops with the JDK Vector API ({@code SPECIES} must be a field of the class), falling
   *     back to scalar loops for bodies with operations it lacks
   */
  ExprCodegen(ModelIr model, String where, int[] rank, boolean allowMaterialise, boolean vector) {
    this.model = model;
    this.kdims = new KDims.Memo(model);
    this.where = where;
    this.rank = rank;
    this.allowMaterialise = allowMaterialise;
    this.vector = vector;
    this.vectorHere = vector;
  }

  List<Mat> materialised() {
    return matOrder;
  }

  /** Number of span-sized scratch arrays ({@code s0, s1, ...}) the generated code uses. */
  int spanTemporaries() {
    return spanTemps;
  }

  Set<Integer> usedVariables() {
    return usedVariables;
  }

  Set<Integer> usedParams() {
    return usedParams;
  }

  // ------------------------------------------------------------------ regions

  /** A region of generated code: bound dimensions, the span, and a cache of computed values. */
  final class Ctx {
    final Set<Integer> bound;
    /** Span dimensions in canonical order (empty: no span loop). */
    final List<Integer> span;
    final CodeBlock.Builder code;
    final Ctx parent;
    /** Inside the span loop: span-dependent values can be computed. */
    final boolean inSpan;
    final Map<Key, String> cache = new HashMap<>();
    /** Span temporaries computed in this region: array name and the offset that turns {@code j} into an index. */
    final Map<Key, String[]> temps = new HashMap<>();

    Ctx(Set<Integer> bound, List<Integer> span, CodeBlock.Builder code, Ctx parent, boolean inSpan) {
      this.bound = bound;
      this.span = span;
      this.code = code;
      this.parent = parent;
      this.inSpan = inSpan;
    }

    Ctx nested(CodeBlock.Builder body, boolean spanBody) {
      return new Ctx(bound, span, body, this, spanBody || inSpan);
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

    String[] lookupTemp(Key key) {
      for (Ctx c = this; c != null; c = c.parent) {
        String[] v = c.temps.get(key);
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }

  record Key(Ex node, List<String> coords, boolean span) {}

  /** A region with the given bound dimensions and span (empty for none). */
  Ctx context(Set<Integer> bound, List<Integer> span, CodeBlock.Builder code) {
    return new Ctx(bound, span, code, null, false);
  }

  /** One summand {@code coefficient * node}; a null node stands for {@code log K}. */
  record Term(double coefficient, Ex node) {}

  static void flattenSum(Ex e, double sign, List<Term> out) {
    if (e instanceof Ex.Binary b && (b.op() == BinaryOp.ADD || b.op() == BinaryOp.SUB) && b.shape().rank() == 0) {
      flattenSum(b.left(), sign, out);
      flattenSum(b.right(), b.op() == BinaryOp.ADD ? sign : -sign, out);
    } else if (e instanceof Ex.Unary u && u.op() == UnaryOp.NEG) {
      flattenSum(u.arg(), -sign, out);
    } else if (e instanceof Ex.Binary b && b.op() == BinaryOp.MUL && b.left() instanceof Ex.Const c
        && b.right().shape().rank() == 0) {
      flattenSum(b.right(), sign * c.value(), out);
    } else {
      out.add(new Term(sign, e));
    }
  }

  // ------------------------------------------------------------------ span loops

  /**
   * Emits {@code dest[destBase + j] op sum of terms} for {@code j} in {@code [from, to)} of the span (one
   * assignment when the region has no span), after computing, before the loop, everything that does not vary
   * along the span.
   */
  void emitSpanLoop(Ctx ctx, String dest, String destBase, String op, List<Term> terms, List<String> coords,
      String from, String to) {
    for (Term t : terms) {
      if (t.node() != null) {
        hoist(t.node(), coords, ctx, from, to);
      }
    }
    boolean hasSpan = !ctx.span.isEmpty();
    CodeBlock.Builder body = CodeBlock.builder();
    Ctx inner = ctx.nested(body, true);
    List<String> parts = new ArrayList<>();
    for (Term t : terms) {
      String v = t.node() == null ? "logK" : eval(t.node(), coords, inner);
      parts.add(t.coefficient() == 1.0 ? v : t.coefficient() == -1.0 ? "-" + v
          : JavaOps.literal(t.coefficient()) + " * " + v);
    }
    String value = parts.isEmpty() ? "0.0" : String.join(" + ", parts).replace("+ -", "- ");
    String index = hasSpan ? destBase + " + " + SPAN : destBase;
    body.addStatement("$L[$L] $L $L", dest, index, op, value);
    if (!hasSpan) {
      ctx.code.add(body.build());
      return;
    }
    CodeBlock vectorBody = vectorHere ? vectorBody(ctx, dest, destBase, op, terms, coords, null) : null;
    if (vectorBody == null) {
      ctx.code.beginControlFlow("for (int $L = $L; $L < $L; $L++)", SPAN, from, SPAN, to, SPAN);
      ctx.code.add(body.build());
      ctx.code.endControlFlow();
      return;
    }
    CodeBlock lastVector = vectorBody(ctx, dest, destBase, op, terms, coords, TAIL);
    ctx.code.add("{\n$>");
    ctx.code.addStatement("int $L = $L", SPAN, from);
    ctx.code.beginControlFlow("for (final int bound = $L + SPECIES.loopBound($L - $L); $L < bound; $L += SPECIES.length())",
        from, to, from, SPAN, SPAN);
    ctx.code.add(vectorBody);
    ctx.code.endControlFlow();
    // The rest of a span at least one vector long is one more vector that ends at the span's end, overlapping
    // the last one, with only its new lanes stored: a scalar remainder would cost as much as the whole vector
    // loop at K = 30 (a transcendental function per entry at scalar speed).
    ctx.code.beginControlFlow("if ($L < $L && $L - $L >= SPECIES.length())", SPAN, to, to, from);
    ctx.code.addStatement("final $T<$T> $L = LANE.compare(GE, (double) ($L - ($L - SPECIES.length())))",
        ClassName.get("jdk.incubator.vector", "VectorMask"), Double.class, TAIL, SPAN, to);
    ctx.code.addStatement("$L = $L - SPECIES.length()", SPAN, to);
    ctx.code.add(lastVector);
    ctx.code.nextControlFlow("else");
    ctx.code.beginControlFlow("for (; $L < $L; $L++)", SPAN, to, SPAN);
    ctx.code.add(body.build());
    ctx.code.endControlFlow();
    ctx.code.endControlFlow();
    ctx.code.add("$<}\n");
  }

  /** The mask of the lanes an overlapping last vector stores (see {@link #emitSpanLoop}). */
  private static final String TAIL = "tail";

  // ------------------------------------------------------------------ vector bodies

  /** Thrown while building a vector body that uses an operation the Vector API lacks; the scalar loop is used. */
  /** Lanes of 0 where {@code mask} holds, NaN elsewhere. */
  private static String nanUnless(String mask) {
    return "DoubleVector.broadcast(SPECIES, Double.NaN).blend(0.0, " + mask + ")";
  }

  private static final class NotVectorisable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotVectorisable() {
      super(null, null, false, false);
    }
  }

  /** Set by {@link #vectorBody} when the accumulated value is one lane vector times one scalar. */
  private String[] fmaOperands;

  /** A value in a vector body: a {@code DoubleVector} expression, or a scalar that is the same in every lane. */
  private record V(String code, boolean lanes) {}

  /**
   * The vector form of one span position's assignment; with {@code tailMask}, only the lanes it selects are
   * stored (the others keep what {@code dest} holds).
   */
  private CodeBlock vectorBody(Ctx ctx, String dest, String destBase, String op, List<Term> terms,
      List<String> coords, String tailMask) {
    CodeBlock.Builder body = CodeBlock.builder();
    Ctx inner = ctx.nested(body, true);
    outerOfVectorBody = ctx;
    try {
      String vectorSum = null;
      List<String> scalarParts = new ArrayList<>();
      fmaOperands = null;
      for (Term t : terms) {
        if (terms.size() == 1 && t.coefficient() == 1.0 && t.node() instanceof Ex.Binary b
            && b.op() == BinaryOp.MUL) {
          V l = evalV(b.left(), childCoords(coords, b.left().shape()), inner);
          V r = evalV(b.right(), childCoords(coords, b.right().shape()), inner);
          if (l.lanes() != r.lanes()) {
            V lanes = l.lanes() ? l : r;
            V same = l.lanes() ? r : l;
            String broadcast = newLocal();
            outerOfVectorBody.code.addStatement("final DoubleVector $L = DoubleVector.broadcast(SPECIES, $L)",
                broadcast, same.code());
            fmaOperands = new String[] {lanes.code(), broadcast};
            vectorSum = lanes.code();
            continue;
          }
        }
        V v = t.node() == null ? new V("logK", false) : evalV(t.node(), coords, inner);
        if (v.lanes()) {
          String scaled = t.coefficient() == 1.0 ? v.code() : v.code() + ".mul(" + JavaOps.literal(t.coefficient()) + ")";
          vectorSum = vectorSum == null ? scaled : vectorSum + ".add(" + scaled + ")";
        } else {
          scalarParts.add(JavaOps.literal(t.coefficient()) + " * " + v.code());
        }
      }
      String scalar = scalarParts.isEmpty() ? null : String.join(" + ", scalarParts);
      String value;
      if (vectorSum == null) {
        value = "DoubleVector.broadcast(SPECIES, " + (scalar == null ? "0.0" : scalar) + ")";
      } else {
        value = scalar == null ? vectorSum : vectorSum + ".add(" + scalar + ")";
      }
      String index = destBase + " + " + SPAN;
      String old = "DoubleVector.fromArray(SPECIES, " + dest + ", " + index + ")";
      String stored;
      if (op.equals("=")) {
        stored = value;
      } else if (fmaOperands != null && scalar == null && terms.size() == 1) {
        stored = fmaOperands[0] + ".fma(" + fmaOperands[1] + ", " + old + ")";
      } else {
        stored = old + ".add(" + value + ")";
      }
      if (tailMask != null) {
        // a blend, not a masked store: AVX2 has no masked store the Vector API compiles to
        stored = old + ".blend(" + stored + ", " + tailMask + ")";
      }
      body.addStatement("$L.intoArray($L, $L)", stored, dest, index);
      return body.build();
    } catch (NotVectorisable e) {
      return null;
    }
  }

  /** The region a vector loop is emitted in: values that are the same in every lane are computed there. */
  private Ctx outerOfVectorBody;

  /** Evaluates {@code n} for the lanes {@code j, j+1, ...} of a vector body. */
  private V evalV(Ex n, List<String> coords, Ctx ctx) {
    if (!dependsOnSpan(n, ctx)) {
      String v = eval(n, coords, outerOfVectorBody);
      if (n instanceof Ex.VarRef || n instanceof Ex.ParamRef) {
        // a load: read it once before the loop (the loop's stores could alias it as far as the JIT knows)
        String local = newLocal();
        outerOfVectorBody.code.addStatement("final double $L = $L", local, v);
        v = local;
      }
      return new V(v, false);
    }
    Key key = new Key(n, coords, true);
    String[] temp = ctx.lookupTemp(key);
    if (temp != null) {
      return local(ctx, "DoubleVector.fromArray(SPECIES, " + temp[0] + ", " + SPAN + temp[1] + ")");
    }
    if (n instanceof Ex.VarRef v) {
      String load = load(v, coords, ctx);
      String array = load.substring(0, load.indexOf('['));
      String index = load.substring(load.indexOf('[') + 1, load.length() - 1);
      return local(ctx, "DoubleVector.fromArray(SPECIES, " + array + ", " + index + ")");
    }
    if (shouldMaterialise(n, ctx)) {
      Mat m = materialise(n);
      String load = matLoad(m, coords, ctx);
      String index = load.substring(load.indexOf('[') + 1, load.length() - 1);
      return local(ctx, "DoubleVector.fromArray(SPECIES, m" + m.id() + ", " + index + ")");
    }
    if (n instanceof Ex.Unary u) {
      V a = evalV(u.arg(), childCoords(coords, u.arg().shape()), ctx);
      String x = a.code();
      return local(ctx, switch (u.op()) {
        case NEG -> x + ".neg()";
        case EXP -> x + ".lanewise(EXP)";
        case LOG -> x + ".lanewise(LOG)";
        case LOG1P -> x + ".lanewise(LOG1P)";
        case EXPM1 -> x + ".lanewise(EXPM1)";
        case SQRT -> x + ".sqrt()";
        case ABS -> x + ".abs()";
        case SQUARE -> x + ".mul(" + x + ")";
        // 2 log|x| where x * x would overflow (the relative error of dropping log1p(1 / x^2) is below 1e-300)
        case LOG1P_SQUARE -> x + ".mul(" + x + ").lanewise(LOG1P).blend(" + x + ".abs().lanewise(LOG).mul(2.0), "
            + x + ".abs().compare(GT, " + JavaOps.MATH + ".SQUARE_OVERFLOW))";
        case RECIPROCAL -> "DoubleVector.broadcast(SPECIES, 1.0).div(" + x + ")";
        // softplus(x) = max(x, 0) + log1p(exp(-|x|)), finite for every x
        case SOFTPLUS -> x + ".max(0.0).add(" + x + ".abs().neg().lanewise(EXP)"
            + ".lanewise(LOG1P))";
        case LOG_SIGMOID -> x + ".min(0.0).sub(" + x + ".abs().neg().lanewise(EXP)"
            + ".lanewise(LOG1P))";
        case SIGMOID -> "DoubleVector.broadcast(SPECIES, 1.0).div(" + x
            + ".neg().lanewise(EXP).add(1.0))";
        case LOG_STEP -> "DoubleVector.zero(SPECIES).blend(Double.NEGATIVE_INFINITY, " + x
            + ".compare(LT, 0.0))";
        // NaN outside the valid range; comparisons with NaN are false, so a NaN parameter stays NaN
        case CHECK_POSITIVE -> nanUnless(x + ".compare(GT, 0.0)");
        case CHECK_NONNEGATIVE -> nanUnless(x + ".compare(GE, 0.0)");
        case CHECK_UNIT -> nanUnless(x + ".compare(GE, 0.0).and(" + x + ".compare(LE, 1.0))");
        case LGAMMA, PHI, LOG_PHI, CHECK_COUNT -> throw new NotVectorisable();
      });
    }
    if (n instanceof Ex.Binary b) {
      V l = evalV(b.left(), childCoords(coords, b.left().shape()), ctx);
      V r = evalV(b.right(), childCoords(coords, b.right().shape()), ctx);
      V left = l.lanes() ? l : new V("DoubleVector.broadcast(SPECIES, " + l.code() + ")", true);
      String x = left.code();
      String y = r.code();
      return local(ctx, switch (b.op()) {
        case ADD -> x + ".add(" + y + ")";
        case SUB -> x + ".sub(" + y + ")";
        case MUL -> x + ".mul(" + y + ")";
        case DIV -> x + ".div(" + y + ")";
        case POW -> x + ".lanewise(POW, " + y + ")";
        case MIN -> x + ".min(" + y + ")";
        case MAX -> x + ".max(" + y + ")";
        case XLOGY -> x + ".mul(" + vectorOf(r) + ".lanewise(LOG)).blend(0.0, " + x
            + ".compare(EQ, 0.0))";
        case XLOG1PY -> x + ".mul(" + vectorOf(r) + ".lanewise(LOG1P)).blend(0.0, " + x
            + ".compare(EQ, 0.0))";
        case LOG_CHOOSE -> throw new NotVectorisable();
        case MASKED -> y + ".blend(0.0, " + x + ".compare(EQ, 0.0))";
      });
    }
    throw new NotVectorisable();
  }

  private static String vectorOf(V v) {
    return v.lanes() ? v.code() : "DoubleVector.broadcast(SPECIES, " + v.code() + ")";
  }

  private V local(Ctx ctx, String expression) {
    String name = "v" + locals++;
    ctx.code.addStatement("final DoubleVector $L = $L", name, expression);
    return new V(name, true);
  }

  /** Emits {@code dest[destBase + j] += coefficient * sum over coordinates of r's argument}. */
  void emitReductionInto(Ctx ctx, String dest, String destBase, double coefficient, Ex.Reduce r, String from,
      String to) {
    String rest = vectorHere ? blockedProduct(ctx, dest, destBase, coefficient, r, from, to) : from;
    reductionLoops(r, List.of(), ctx, (inner, argCoords) -> {
      Ex zeroSkips = zeroSkippingFactor(r.arg(), inner);
      if (zeroSkips != null) {
        inner.code.beginControlFlow("if ($L != 0.0)", eval(zeroSkips, childCoords(argCoords, zeroSkips.shape()),
            inner));
      }
      emitSpanLoop(inner, dest, destBase, "+=", List.of(new Term(coefficient, r.arg())), argCoords, rest, to);
      if (zeroSkips != null) {
        inner.code.endControlFlow();
      }
    });
  }

  /** Span vectors a blocked product keeps in registers (4 x 8 doubles with AVX-512). */
  private static final int BLOCK_VECTORS = 4;

  /**
   * The matrix-product shape {@code sum_c a_c * B[c][j]} ({@code a} the same along the span, {@code B} an array
   * over the coordinate and the span): {@link #BLOCK_VECTORS} vectors of the output stay in registers while the
   * coordinate loop runs inside, so each multiply-add reads one vector of B and nothing else. The coefficients
   * {@code a_c} are computed once into a scratch array. Returns the span position from which the ordinary loops
   * must continue ({@code from} itself when the shape does not apply).
   */
  private String blockedProduct(Ctx ctx, String dest, String destBase, double coefficient, Ex.Reduce r,
      String from, String to) {
    if (r.axes() != 1 || r.arg().shape().rank() != 1 || !(r.arg() instanceof Ex.Binary b)
        || b.op() != BinaryOp.MUL) {
      return from;
    }
    Ex scalar = dependsOnSpan(b.left(), ctx) ? b.right() : b.left();
    Ex lanes = scalar == b.left() ? b.right() : b.left();
    if (dependsOnSpan(scalar, ctx) || !dependsOnSpan(lanes, ctx)) {
      return from;
    }
    boolean leaf = lanes instanceof Ex.VarRef;
    if (!leaf && !(allowMaterialise && shouldMaterialise(lanes, ctx))) {
      return from;
    }
    int extent = r.arg().shape().dim(0);
    String c = newCoord();
    String coefficients = newScratch(extent);
    ctx.code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, extent, c);
    CodeBlock.Builder perCoordinate = CodeBlock.builder();
    Ctx coordinate = new Ctx(ctx.bound, ctx.span, perCoordinate, ctx, false);
    String a = eval(scalar, childCoords(List.of(c), scalar.shape()), coordinate);
    perCoordinate.addStatement("$L[$L] = $L * $L", coefficients, c, JavaOps.literal(coefficient), a);
    ctx.code.add(perCoordinate.build());
    ctx.code.endControlFlow();

    String d = newCoord();
    Ctx probe = new Ctx(ctx.bound, ctx.span, CodeBlock.builder(), ctx, true);
    String load = leaf ? load((Ex.VarRef) lanes, childCoords(List.of(d), lanes.shape()), probe)
        : matLoad(materialise(lanes), childCoords(List.of(d), lanes.shape()), probe);
    String array = load.substring(0, load.indexOf('['));
    String index = load.substring(load.indexOf('[') + 1, load.length() - 1);
    if (!index.endsWith(" + " + SPAN)) {
      return from;
    }
    String base = index.substring(0, index.length() - (" + " + SPAN).length());
    String position = newLocal();
    ctx.code.addStatement("int $L = $L", position, from);
    ctx.code.beginControlFlow("for (final int step = $L * SPECIES.length(); $L + step <= $L; $L += step)",
        BLOCK_VECTORS, position, to, position);
    for (int i = 0; i < BLOCK_VECTORS; i++) {
      ctx.code.addStatement("DoubleVector acc$L = DoubleVector.fromArray(SPECIES, $L, $L + $L + $L * SPECIES.length())",
          i, dest, destBase, position, i);
    }
    ctx.code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", d, d, extent, d);
    ctx.code.addStatement("final DoubleVector w = DoubleVector.broadcast(SPECIES, $L[$L])", coefficients, d);
    ctx.code.addStatement("final int at = $L + $L", base, position);
    for (int i = 0; i < BLOCK_VECTORS; i++) {
      ctx.code.addStatement("acc$L = DoubleVector.fromArray(SPECIES, $L, at + $L * SPECIES.length()).fma(w, acc$L)",
          i, array, i, i);
    }
    ctx.code.endControlFlow();
    for (int i = 0; i < BLOCK_VECTORS; i++) {
      ctx.code.addStatement("acc$L.intoArray($L, $L + $L + $L * SPECIES.length())", i, dest, destBase, position, i);
    }
    ctx.code.endControlFlow();
    return position;
  }

  private final List<Integer> scratchSizes = new ArrayList<>();

  private String newScratch(int size) {
    scratchSizes.add(size);
    return "g" + (scratchSizes.size() - 1);
  }

  /** Sizes of the per-coordinate scratch arrays ({@code g0, g1, ...}) the generated code uses. */
  List<Integer> scratchArrays() {
    return scratchSizes;
  }

  // ------------------------------------------------------------------ hoisting and evaluation

  boolean dependsOnSpan(Ex n, Ctx ctx) {
    if (ctx.span.isEmpty()) {
      return false;
    }
    SortedSet<Integer> kd = kdims(n);
    for (int g : ctx.span) {
      if (kd.contains(g)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Prepares a span-loop evaluation of {@code n}: computes in the current (pre-loop) region every part of it
   * that does not vary along the span, and every reduction that does (into a span-sized temporary).
   */
  private void hoist(Ex n, List<String> coords, Ctx ctx, String from, String to) {
    if (n instanceof Ex.Const || n instanceof Ex.VarRef || n instanceof Ex.ParamRef) {
      return;
    }
    if (shouldMaterialise(n, ctx)) {
      materialise(n);
      return;
    }
    if (!dependsOnSpan(n, ctx)) {
      eval(n, coords, ctx);
      return;
    }
    if (n instanceof Ex.Unary u) {
      hoist(u.arg(), childCoords(coords, u.arg().shape()), ctx, from, to);
    } else if (n instanceof Ex.Binary b) {
      hoist(b.left(), childCoords(coords, b.left().shape()), ctx, from, to);
      hoist(b.right(), childCoords(coords, b.right().shape()), ctx, from, to);
    } else if (n instanceof Ex.Select s) {
      hoist(s.index(), childCoords(coords, s.index().shape()), ctx, from, to);
    } else if (n instanceof Ex.Reduce r) {
      spanTemporary(r, coords, ctx, from, to);
    } else {
      throw new InternalCompilerError("cannot hoist " + n.getClass().getSimpleName() + " in " + where);
    }
  }

  /** Computes a reduction that varies along the span into a temporary indexed by {@code j - from}. */
  private void spanTemporary(Ex.Reduce r, List<String> coords, Ctx ctx, String from, String to) {
    Key key = new Key(r, coords, true);
    if (ctx.lookup(key) != null) {
      return;
    }
    String offset = "-" + from;
    switch (r.op()) {
      case SUM, MIN, MAX -> {
        String temp = newSpanTemp();
        String init = switch (r.op()) {
          case SUM -> "0.0";
          case MIN -> "Double.POSITIVE_INFINITY";
          default -> "Double.NEGATIVE_INFINITY";
        };
        ctx.code.addStatement("$T.fill($L, 0, $L - $L, $L)", Arrays.class, temp, to, from, init);
        reductionLoops(r, coords, ctx, (inner, argCoords) -> {
          if (r.op() == ReduceOp.SUM) {
            Ex zeroSkips = zeroSkippingFactor(r.arg(), inner);
            if (zeroSkips != null) {
              inner.code.beginControlFlow("if ($L != 0.0)", eval(zeroSkips, childCoords(argCoords,
                  zeroSkips.shape()), inner));
            }
            emitSpanLoop(inner, temp, offset, "+=", List.of(new Term(1.0, r.arg())), argCoords, from, to);
            if (zeroSkips != null) {
              inner.code.endControlFlow();
            }
          } else {
            String fn = r.op() == ReduceOp.MIN ? "Math.min" : "Math.max";
            spanUpdate(inner, r.arg(), argCoords, from, to,
                v -> CodeBlock.of("$L[$L$L] = $L($L[$L$L], $L)", temp, SPAN, offset, fn, temp, SPAN, offset, v));
          }
        });
        ctx.cache.put(key, temp + "[" + SPAN + offset + "]");
        ctx.temps.put(key, new String[] {temp, offset});
      }
      case LOGSUMEXP -> {
        String max = newSpanTemp();
        String sum = newSpanTemp();
        ctx.code.addStatement("$T.fill($L, 0, $L - $L, Double.NEGATIVE_INFINITY)", Arrays.class, max, to, from);
        ctx.code.addStatement("$T.fill($L, 0, $L - $L, 0.0)", Arrays.class, sum, to, from);
        reductionLoops(r, coords, ctx, (inner, argCoords) -> spanUpdate(inner, r.arg(), argCoords, from, to,
            v -> CodeBlock.of("$L[$L$L] = Math.max($L[$L$L], $L)", max, SPAN, offset, max, SPAN, offset, v)));
        reductionLoops(r, coords, ctx, (inner, argCoords) -> spanUpdate(inner, r.arg(), argCoords, from, to,
            v -> CodeBlock.of("$L[$L$L] += Math.exp($L - $L[$L$L])", sum, SPAN, offset, v, max, SPAN, offset)));
        ctx.code.beginControlFlow("for (int $L = $L; $L < $L; $L++)", SPAN, from, SPAN, to, SPAN);
        ctx.code.addStatement("$L[$L$L] = $L[$L$L] + Math.log($L[$L$L])", max, SPAN, offset, max, SPAN, offset, sum,
            SPAN, offset);
        ctx.code.endControlFlow();
        ctx.cache.put(key, max + "[" + SPAN + offset + "]");
        ctx.temps.put(key, new String[] {max, offset});
      }
    }
  }

  /**
   * For a summand {@code a * b} whose factor {@code a} is the same along the span and whose other factor is a
   * variable (finite: data are checked, particles are drawn finite), {@code a}: where it is 0 the whole span adds
   * zeros and is skipped. A dot product with a one-hot covariate ({@code dot(phi, company)}) then costs one span
   * instead of one per category.
   */
  private Ex zeroSkippingFactor(Ex arg, Ctx ctx) {
    if (!(arg instanceof Ex.Binary b) || b.op() != BinaryOp.MUL) {
      return null;
    }
    if (b.right() instanceof Ex.VarRef && !dependsOnSpan(b.left(), ctx) && dependsOnSpan(b.right(), ctx)) {
      return b.left();
    }
    if (b.left() instanceof Ex.VarRef && !dependsOnSpan(b.right(), ctx) && dependsOnSpan(b.left(), ctx)) {
      return b.right();
    }
    return null;
  }

  /** A span loop whose body is a statement built from the value of {@code arg} at each {@code j}. */
  private void spanUpdate(Ctx ctx, Ex arg, List<String> coords, String from, String to,
      java.util.function.Function<String, CodeBlock> statement) {
    hoist(arg, coords, ctx, from, to);
    CodeBlock.Builder body = CodeBlock.builder();
    Ctx inner = ctx.nested(body, true);
    String v = eval(arg, coords, inner);
    body.addStatement(statement.apply(v));
    ctx.code.beginControlFlow("for (int $L = $L; $L < $L; $L++)", SPAN, from, SPAN, to, SPAN);
    ctx.code.add(body.build());
    ctx.code.endControlFlow();
  }

  private interface ReductionBody {
    void emit(Ctx inner, List<String> argCoords);
  }

  private void reductionLoops(Ex.Reduce r, List<String> coords, Ctx ctx, ReductionBody body) {
    Ex arg = r.arg();
    List<String> argCoords = new ArrayList<>(coords);
    int first = arg.shape().rank() - r.axes();
    for (int a = 0; a < r.axes(); a++) {
      String c = newCoord();
      argCoords.add(c);
      ctx.code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, arg.shape().dim(first + a), c);
    }
    CodeBlock.Builder inside = CodeBlock.builder();
    Ctx inner = new Ctx(ctx.bound, ctx.span, inside, ctx, ctx.inSpan);
    body.emit(inner, argCoords);
    ctx.code.add(inside.build());
    for (int a = 0; a < r.axes(); a++) {
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
    boolean span = dependsOnSpan(n, ctx);
    if (span && !ctx.inSpan) {
      throw new InternalCompilerError("a value that varies along the span is needed outside it in " + where);
    }
    Key key = new Key(n, coords, span);
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

  /** A reduction that does not vary along the span: an accumulation loop in the current region. */
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

  /**
   * Whether evaluating {@code n} inline here would repeat work that an array over its own dimensions holds
   * once: it varies along the span but not along every bound dimension, or it is costly (a reduction, the mixture
   * over guide parents) and depends on fewer dimensions than are bound.
   */
  boolean shouldMaterialise(Ex n, Ctx ctx) {
    if (!allowMaterialise || n instanceof Ex.Const || n instanceof Ex.VarRef || n instanceof Ex.ParamRef) {
      return false;
    }
    if (n instanceof Ex.LogMeanExpK) {
      return true;
    }
    if (matsInProgress.contains(n)) {
      return false;
    }
    SortedSet<Integer> kd = kdims(n);
    if (dependsOnSpan(n, ctx)) {
      SortedSet<Integer> rest = new TreeSet<>(kd);
      rest.removeAll(ctx.span);
      return !rest.equals(ctx.bound);
    }
    if (kd.equals(ctx.bound)) {
      return false;
    }
    return costly(n);
  }

  private static boolean costly(Ex n) {
    boolean[] found = {false};
    ExWalker.forEach(n, x -> found[0] |= x instanceof Ex.Reduce || x instanceof Ex.LogMeanExpK);
    return found[0];
  }

  private Mat materialise(Ex n) {
    Mat existing = mats.get(n);
    if (existing != null) {
      return existing;
    }
    int id = matCounter++;
    int[] kd = canonical(kdims(n));
    matsInProgress.add(n);
    CodeBlock.Builder code = CodeBlock.builder();
    String array = "m" + id;
    if (n instanceof Ex.LogMeanExpK l) {
      // the mixture's argument is an array of its own even where the rules would compute it inline
      Mat arg = materialise(l.arg());
      StringBuilder mask = new StringBuilder();
      for (int i = 0; i < arg.kdims().length; i++) {
        mask.append(i > 0 ? ", " : "").append(l.groups().contains(arg.kdims()[i]));
      }
      code.addStatement("$T.logMeanExp(m$L, K, new boolean[] {$L}, $L)", SUPPORT, arg.id(), mask, array);
    } else {
      materialisationLoops(n, kd, n.shape(), array, code);
    }
    matsInProgress.remove(n);
    Mat mat = new Mat(id, n, kd, n.shape(), level(n), code.build());
    mats.put(n, mat);
    matOrder.add(mat);
    return mat;
  }

  /** Loops over the node's coordinates and dimensions, its last dimension as the span, filling its array. */
  private void materialisationLoops(Ex n, int[] kd, Shape shape, String array, CodeBlock.Builder code) {
    boolean saved = vectorHere;
    vectorHere = false;
    code.add("{\n$>");
    List<String> coords = new ArrayList<>();
    for (int a = 0; a < shape.rank(); a++) {
      String c = newCoord();
      coords.add(c);
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, shape.dim(a), c);
    }
    Set<Integer> bound = new LinkedHashSet<>();
    for (int i = 0; i < kd.length - 1; i++) {
      bound.add(kd[i]);
      code.beginControlFlow("for (int $L = 0; $L < K; $L++)", kVar(kd[i]), kVar(kd[i]), kVar(kd[i]));
    }
    List<Integer> span = kd.length == 0 ? List.of() : List.of(kd[kd.length - 1]);
    String base = horner(coordFlat(shape, coords), kd, kd.length - 1, true);
    Ctx ctx = new Ctx(bound, span, code, null, false);
    emitSpanLoop(ctx, array, base, "=", List.of(new Term(1.0, n)), coords, "0", "K");
    for (int i = 0; i < kd.length - 1; i++) {
      code.endControlFlow();
    }
    for (int a = 0; a < shape.rank(); a++) {
      code.endControlFlow();
    }
    code.add("$<}\n");
    vectorHere = saved;
  }

  /**
   * Horner form {@code (((start) * K + k_a) * K + k_b)...} over the first {@code count} of {@code kd}; when
   * {@code spanFollows}, times the span length for the remaining dimensions (which the span variable indexes).
   */
  private static String horner(String start, int[] kd, int count, boolean spanFollows) {
    StringBuilder h = new StringBuilder(start);
    for (int i = 0; i < count; i++) {
      h = new StringBuilder("(" + h + ") * K + " + kVar(kd[i]));
    }
    int spanDims = kd.length - count;
    if (spanFollows && spanDims > 0) {
      h = new StringBuilder("(" + h + ") * " + String.join(" * ", java.util.Collections.nCopies(spanDims, "K")));
    }
    return h.toString();
  }

  private String matLoad(Mat m, List<String> coords, Ctx ctx) {
    int[] kd = m.kdims();
    int spanDims = 0;
    for (int g : kd) {
      if (ctx.span.contains(g)) {
        spanDims++;
      } else if (!ctx.bound.contains(g)) {
        throw new InternalCompilerError("dimension " + g + " unbound when reading a materialised value in " + where);
      }
    }
    if (spanDims > 0 && (!ctx.inSpan || spanDims != ctx.span.size())) {
      throw new InternalCompilerError("a materialised value read across a partial span in " + where);
    }
    String base = horner(coordFlat(m.shape(), childCoords(coords, m.shape())), kd, kd.length - spanDims, true);
    return "m" + m.id() + "[" + base + (spanDims > 0 ? " + " + SPAN : "") + "]";
  }

  /** The deepest plate any leaf of {@code n} lives in: when its element changes, {@code n} must be recomputed. */
  private int level(Ex n) {
    int[] deepest = {0};
    ExWalker.forEach(n, x -> {
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

  // ------------------------------------------------------------------ span choice

  /**
   * Whether the trailing dimensions {@code span} can be one flat loop for {@code term}: everything the term reads
   * along them must be laid out with exactly those dimensions last (a particle array has one dimension, so a
   * wider span is only possible through materialised arrays), and every value varying along part of them must
   * vary along all of them.
   */
  boolean spanFits(Ex term, Set<Integer> bound, List<Integer> span) {
    if (span.size() <= 1) {
      return true;
    }
    Ctx probe = new Ctx(bound, span, CodeBlock.builder(), null, true);
    return fits(term, probe);
  }

  private boolean fits(Ex n, Ctx ctx) {
    SortedSet<Integer> kd = kdims(n);
    int along = 0;
    for (int g : ctx.span) {
      along += kd.contains(g) ? 1 : 0;
    }
    if (along == 0) {
      return true;
    }
    if (along != ctx.span.size()) {
      return false;
    }
    if (n instanceof Ex.VarRef) {
      return false;
    }
    if (allowMaterialise && (n instanceof Ex.LogMeanExpK || shouldMaterialise(n, ctx))) {
      return true;
    }
    if (n instanceof Ex.Unary u) {
      return fits(u.arg(), ctx);
    } else if (n instanceof Ex.Binary b) {
      return fits(b.left(), ctx) && fits(b.right(), ctx);
    } else if (n instanceof Ex.Reduce r) {
      return fits(r.arg(), ctx);
    } else if (n instanceof Ex.Select s) {
      return fits(s.vector(), ctx) && fits(s.index(), ctx);
    }
    return true;
  }

  // ------------------------------------------------------------------ leaves

  private String load(Ex.VarRef v, List<String> coords, Ctx ctx) {
    VariableIr var = model.variable(v.variable());
    usedVariables.add(var.id());
    String c = coordFlat(var.eventShape(), childCoords(coords, var.eventShape()));
    if (var.kind() == VarKind.LATENT) {
      int g = model.groupOf(var.id());
      String index;
      if (ctx.bound.contains(g)) {
        index = kVar(g);
      } else if (ctx.inSpan && ctx.span.equals(List.of(g))) {
        index = SPAN;
      } else {
        throw new InternalCompilerError("particle index of '" + var.name() + "' unbound in " + where);
      }
      String offset = c.equals("0") ? "" : " + (" + c + ") * K";
      return "z" + var.id() + "[bz" + var.id() + offset + " + " + index + "]";
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
    return kdims.of(n);
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

  private String newSpanTemp() {
    return "s" + spanTemps++;
  }

  private String newCoord() {
    return "c" + coordCounter++;
  }
}
