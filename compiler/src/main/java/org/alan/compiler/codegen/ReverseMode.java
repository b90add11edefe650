package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.alan.compiler.diag.InternalCompilerError;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * A small reverse mode emitted as straight-line Java for a fixed set of expressions (the log factor of one
 * kernel, or the arguments of a proposal), inside loops over K dimensions ({@code loopDims}): {@link #forward}
 * computes every distinct subexpression once, {@link #seed} sets the adjoint of a root, {@link #reverse} propagates
 * adjoints to the leaves and adds them into the gradient arrays of the particles ({@code gz<v>}) and of the
 * parameters ({@code gq<p>}).
 *
 * <p>Why a reverse mode per kernel and not symbolic derivative expressions: a log factor has one output and many
 * inputs (every parameter and particle it reads), so one reverse sweep gives all partial derivatives for the cost
 * of about two forward evaluations, where symbolic differentiation would build one derivative expression per input
 * and repeat their shared parts. The expression DAG is known at compile time, so the sweep is unrolled into
 * code: no tape, no allocation, no dispatch at run time.
 *
 * <p>Where each node is computed: a node that depends on every loop's K dimension is <i>streamed</i>, computed
 * and differentiated once per entry inside the loops. Every other node is <i>materialised</i>: computed before the
 * loops into an array over its own K dimensions (as the forward kernels do), its adjoint accumulated there by its
 * streamed parents, and propagated to its children after the loops. So {@code exp(psi)} is computed K times, not
 * K^3, and its derivative taken K times. Exact: an adjoint is the sum of its parents' contributions, wherever they
 * are computed.
 *
 * <p>Streamed scalars are locals ({@code v<n>}, {@code a<n>}); streamed vectors and every materialised node are
 * arrays ({@link #addFields}, {@link #declareArrays}). Broadcasting is resolved in the indices: an operand broadcast
 * along an axis is read at coordinate 0 there, and its adjoint accumulates ({@code +=}) over that axis. Only nodes
 * that read a parameter or a continuous latent carry adjoints ({@link #differentiable}); discrete particles, data
 * and inputs are constants here.
 */
final class ReverseMode {
  private static final ClassName SUPPORT = ExprCodegen.SUPPORT;

  private final ModelIr model;
  private final String where;
  /** Distinct internal nodes, children before parents, with their numbers. */
  private final Map<Ex, Integer> nodes = new LinkedHashMap<>();
  private final Map<Ex, Boolean> differentiable = new IdentityHashMap<>();
  private final Map<Ex, List<Integer>> dimsOf = new IdentityHashMap<>();
  private final org.alan.compiler.analysis.KDims.Memo kdims;
  private final Set<Integer> latents = new TreeSet<>();
  private final Set<Integer> data = new TreeSet<>();
  private final Set<Integer> params = new TreeSet<>();
  private final String prefix;
  /** The K dimensions (groups) the streamed code loops over, outermost first. */
  private final List<Integer> loopDims;
  private final Set<Ex> required = new java.util.HashSet<>();
  private int coordCounter;

  /**
   * @param loopDims the groups whose particle loops ({@code k<g>}) are open around the streamed code
   * @param prefix distinguishes the locals and fields of several instances in one method
   * @param where what the code is for, for internal errors
   */
  ReverseMode(ModelIr model, List<Ex> roots, List<Integer> loopDims, String prefix, String where) {
    this.model = model;
    this.kdims = new org.alan.compiler.analysis.KDims.Memo(model);
    this.prefix = prefix;
    this.where = where;
    this.loopDims = List.copyOf(loopDims);
    for (Ex r : roots) {
      collect(r);
      parents.merge(r, 1, Integer::sum);
    }
    for (Ex n : nodes.keySet()) {
      for (Ex c : children(n)) {
        parents.merge(c, 1, Integer::sum);
      }
      if (n instanceof Ex.Reduce r && r.op() == org.alan.compiler.ir.ReduceOp.SUM
          && r.axes() == r.arg().shape().rank() && nodes.containsKey(r.arg())
          && dims(r.arg()).equals(dims(r))) {
        summedBy.put(r.arg(), r);
      }
    }
    collectReadPerEntry();
  }

  private void collectReadPerEntry() {
    for (Ex n : nodes.keySet()) {
      if (streamed(n)) {
        for (Ex c : children(n)) {
          if (c instanceof Ex.VarRef v && model.variable(v.variable()).isLatent()) {
            readPerEntry.add(v.variable());
          }
        }
      }
    }
  }

  /** Nodes summed over all their coordinates by a reduction with the same K dimensions. */
  private final Map<Ex, Ex.Reduce> summedBy = new IdentityHashMap<>();

  /**
   * Latents with an event shape held transposed for this kernel ({@code zt<v>[k * E + c]}, adjoints in
   * {@code gzt<v>}): the particles are stored coordinate-major ({@code z[c * K + k]}), which puts a vector
   * latent's coordinates K apart where an entry's loop over them reads and accumulates.
   */
  private boolean transposeLatents;

  /** Holds the vector latents transposed ({@link #transposeIn}, {@link #transposeOut}). */
  ReverseMode transposingLatents() {
    transposeLatents = true;
    return this;
  }

  /**
   * Whether the particles are constants (RWS's guide step and the model's parameters under RWS): only nodes that
   * read a parameter carry adjoints, so a log factor's prior terms cost nothing and no particle gradient is written.
   */
  private boolean fixedParticles;

  /** Differentiates with respect to the parameters only; call before anything else. */
  ReverseMode holdingParticlesFixed() {
    if (!differentiable.isEmpty()) {
      throw new InternalCompilerError("particles fixed after differentiation began in " + where);
    }
    fixedParticles = true;
    return this;
  }

  private boolean transposed(VariableIr var) {
    return transposeLatents && var.eventShape().size() > 1 && readPerEntry.contains(var.id());
  }

  /** The latents streamed nodes read: only their layout matters to the per-entry loop. */
  private final Set<Integer> readPerEntry = new TreeSet<>();

  /** Copies the element's transposed latents in and zeroes their adjoints: before everything else. */
  void transposeIn(CodeBlock.Builder code) {
    for (int v : latents) {
      VariableIr var = model.variable(v);
      if (transposed(var)) {
        int e = var.eventShape().size();
        code.beginControlFlow("for (int k = 0; k < K; k++)");
        code.beginControlFlow("for (int c = 0; c < $L; c++)", e);
        code.addStatement("$Lzt$L[k * $L + c] = z$L[bz$L + c * K + k]", prefix, v, e, v, v);
        code.endControlFlow();
        code.endControlFlow();
        if (!fixedParticles) {
          code.addStatement("java.util.Arrays.fill($Lgzt$L, 0.0)", prefix, v);
        }
      }
    }
  }

  /** Adds the transposed latents' adjoints into the particles' gradients: after everything else. */
  void transposeOut(CodeBlock.Builder code) {
    if (fixedParticles) {
      return; // no particle adjoints (and no particle gradient arrays)
    }
    for (int v : latents) {
      VariableIr var = model.variable(v);
      if (transposed(var)) {
        int e = var.eventShape().size();
        code.beginControlFlow("for (int c = 0; c < $L; c++)", e);
        code.beginControlFlow("for (int k = 0; k < K; k++)");
        code.addStatement("gz$L[bz$L + c * K + k] += $Lgzt$L[k * $L + c]", v, v, prefix, v, e);
        code.endControlFlow();
        code.endControlFlow();
      }
    }
  }

  /** How many times each node is read: by its parents (each occurrence), or as a root. */
  private final Map<Ex, Integer> parents = new IdentityHashMap<>();
  /** Streamed vectors whose adjoint is propagated inside their only parent's reduction (no adjoint array). */
  private final Set<Ex> propagatedInParent = java.util.Collections.newSetFromMap(new IdentityHashMap<>());

  /** Whether an expression can be differentiated here (the parent-mixture of a proposal cannot). */
  static boolean supports(Ex e) {
    boolean[] ok = {true};
    org.alan.compiler.ir.ExWalker.forEach(e, n -> ok[0] &= !(n instanceof Ex.LogMeanExpK));
    return ok[0];
  }

  private void collect(Ex n) {
    if (nodes.containsKey(n) || n instanceof Ex.Const) {
      return;
    }
    if (n instanceof Ex.VarRef v) {
      (model.variable(v.variable()).isLatent() ? latents : data).add(v.variable());
      return;
    }
    if (n instanceof Ex.ParamRef p) {
      params.add(p.param());
      return;
    }
    for (Ex c : children(n)) {
      collect(c);
    }
    nodes.put(n, nodes.size());
  }

  private List<Ex> children(Ex n) {
    if (n instanceof Ex.Unary u) {
      return List.of(u.arg());
    } else if (n instanceof Ex.Binary b) {
      return List.of(b.left(), b.right());
    } else if (n instanceof Ex.Reduce r) {
      return List.of(r.arg());
    } else if (n instanceof Ex.Select s) {
      return List.of(s.vector(), s.index());
    }
    throw new InternalCompilerError("cannot differentiate " + n.getClass().getSimpleName() + " in " + where);
  }

  /** The node's K dimensions, in loop order. */
  private List<Integer> dims(Ex n) {
    return dimsOf.computeIfAbsent(n, x -> {
      Set<Integer> kd = kdims.of(x);
      if (!loopDims.containsAll(kd)) {
        throw new InternalCompilerError("no loop over the particles of groups " + kd + " in " + where);
      }
      return loopDims.stream().filter(kd::contains).toList();
    });
  }

  /** Whether a node is computed per entry inside the loops (it depends on all of them). */
  private boolean streamed(Ex n) {
    return dims(n).size() == loopDims.size() && !fullDot(n);
  }

  /**
   * A dot product of particles and data over every loop dimension, or its product: materialised anyway (its
   * value, where read, computed before the entry loop; its adjoint carried back after it, {@link #reverseFusedDot}),
   * so that zero data are skipped once per coordinate instead of tested at every entry.
   */
  private boolean fullDot(Ex n) {
    Ex product = n instanceof Ex.Reduce r && summedBy.get(r.arg()) == r ? r.arg() : n;
    return summedBy.containsKey(product) && dataFactor(product) != null && parents.getOrDefault(product, 0) == 1
        && dims(product).size() == loopDims.size();
  }

  /** Whether a node reads a parameter or a continuous latent, so that its adjoint matters. */
  boolean differentiable(Ex n) {
    Boolean known = differentiable.get(n);
    if (known != null) {
      return known;
    }
    boolean d;
    if (n instanceof Ex.Const) {
      d = false;
    } else if (n instanceof Ex.VarRef v) {
      VariableIr var = model.variable(v.variable());
      d = !fixedParticles && var.isLatent() && !var.prior().family().isDiscrete();
    } else if (n instanceof Ex.ParamRef) {
      d = true;
    } else if (n instanceof Ex.Select s) {
      d = differentiable(s.vector());
    } else {
      d = false;
      for (Ex c : children(n)) {
        d |= differentiable(c);
      }
    }
    differentiable.put(n, d);
    return d;
  }

  /** The latents, data (observed and input) and parameters the expressions read. */
  Set<Integer> latents() {
    return latents;
  }

  Set<Integer> data() {
    return data;
  }

  Set<Integer> params() {
    return params;
  }

  // ------------------------------------------------------------------ storage

  /** Array fields for values and adjoints; {@link #initialiseFields} sizes them (they need K). */
  void addFields(TypeSpec.Builder type) {
    for (int v : latents) {
      if (transposed(model.variable(v))) {
        for (String kind : new String[] {"zt", "gzt"}) {
          type.addField(FieldSpec.builder(double[].class, prefix + kind + v, Modifier.PRIVATE, Modifier.FINAL)
              .build());
        }
      }
    }
    for (Map.Entry<Ex, Integer> e : nodes.entrySet()) {
      if (isArray(e.getKey())) {
        for (String kind : new String[] {"v", "a"}) {
          type.addField(FieldSpec.builder(double[].class, name(kind, e.getValue()), Modifier.PRIVATE, Modifier.FINAL)
              .build());
        }
      }
    }
  }

  /** Constructor statements sizing the fields, with {@code K} in scope. */
  void initialiseFields(CodeBlock.Builder code) {
    for (int v : latents) {
      if (transposed(model.variable(v))) {
        for (String kind : new String[] {"zt", "gzt"}) {
          code.addStatement("this.$L$L$L = new double[K * $L]", prefix, kind, v, model.variable(v).eventShape().size());
        }
      }
    }
    for (Map.Entry<Ex, Integer> e : nodes.entrySet()) {
      if (isArray(e.getKey())) {
        for (String kind : new String[] {"v", "a"}) {
          code.addStatement("this.$L = new double[$L]", name(kind, e.getValue()), arraySize(e.getKey()));
        }
      }
    }
  }

  /** The same arrays as locals, for a static method, with {@code K} in scope. */
  void declareArrays(CodeBlock.Builder code) {
    for (Map.Entry<Ex, Integer> e : nodes.entrySet()) {
      if (isArray(e.getKey())) {
        for (String kind : new String[] {"v", "a"}) {
          code.addStatement("final double[] $L = new double[$L]", name(kind, e.getValue()), arraySize(e.getKey()));
        }
      }
    }
  }

  private boolean isArray(Ex n) {
    return (!streamed(n) || n.shape().rank() > 0) && fusedProduct(n) == null;
  }

  private CodeBlock arraySize(Ex n) {
    int size = n.shape().size();
    return streamed(n) ? CodeBlock.of("$L", size) : CodeBlock.of("$T.pow(K, $L) * $L", SUPPORT, dims(n).size(), size);
  }

  /** The element of a node's value ({@code "v"}) or adjoint ({@code "a"}) at {@code coords}. */
  private String ref(String kind, Ex n, List<String> coords) {
    String name = name(kind, nodes.get(n));
    if (streamed(n)) {
      return n.shape().rank() == 0 ? name : name + "[" + flat(n.shape(), coords) + "]";
    }
    String combo = "0";
    for (int g : dims(n)) {
      combo = combo.equals("0") ? ExprCodegen.kVar(g) : "(" + combo + ") * K + " + ExprCodegen.kVar(g);
    }
    int size = n.shape().size();
    String c = flat(n.shape(), coords);
    if (size == 1) {
      return name + "[" + combo + "]";
    }
    return name + "[(" + combo + ") * " + size + (c.equals("0") ? "" : " + " + c) + "]";
  }

  /** Opens loops over a materialised node's own K dimensions (in a block, so that their names do not clash). */
  private void openParticleLoops(Ex n, CodeBlock.Builder code) {
    code.add("{\n$>");
    for (int g : dims(n)) {
      String k = ExprCodegen.kVar(g);
      code.beginControlFlow("for (int $L = 0; $L < K; $L++)", k, k, k);
    }
  }

  private void closeParticleLoops(Ex n, CodeBlock.Builder code) {
    for (int ignored : dims(n)) {
      code.endControlFlow();
    }
    code.add("$<}\n");
  }

  // ------------------------------------------------------------------ forward

  /**
   * Computes the materialised nodes whose values are read ({@link #neededValues}): before the loops. With the
   * particles fixed that leaves out the prior terms, which no derivative reads.
   */
  void forwardMaterialised(CodeBlock.Builder code) {
    Set<Ex> needed = neededValues();
    for (Ex n : nodes.keySet()) {
      if (!streamed(n) && fusedProduct(n) == null && needed.contains(n)) {
        openParticleLoops(n, code);
        compute(n, code);
        closeParticleLoops(n, code);
      }
    }
  }

  /** Marks a value the caller reads (through {@link #value}) after the streamed forward code. */
  void require(Ex n) {
    required.add(n);
  }

  /**
   * Computes the streamed nodes whose values are read: by a derivative (the {@code x} of {@code log x}, the
   * {@code y} of {@code exp}), by the caller, or to compute such a node. The rest (a sum's value, in a log factor
   * that is a sum of terms: most of it) is never formed per entry; only its adjoint is.
   */
  void forwardStreamed(CodeBlock.Builder code) {
    Set<Ex> needed = neededValues();
    for (Ex n : nodes.keySet()) {
      if (streamed(n) && needed.contains(n)) {
        if (n.shape().rank() == 0) {
          code.addStatement("double $L", name("v", nodes.get(n)));
        }
        compute(n, code);
      }
    }
  }

  private Set<Ex> neededValues() {
    Set<Ex> needed = new java.util.HashSet<>(required);
    for (Ex n : nodes.keySet()) {
      if (!differentiable(n)) {
        continue;
      }
      if (n instanceof Ex.Unary u) {
        switch (u.op()) {
          case EXP, EXPM1, SQRT, SIGMOID, RECIPROCAL -> needed.add(n);
          case LOG, LOG1P, ABS, SOFTPLUS, SQUARE, LOG1P_SQUARE, LGAMMA, LOG_SIGMOID, PHI, LOG_PHI -> needed.add(u.arg());
          default -> { }
        }
      } else if (n instanceof Ex.Binary b) {
        switch (b.op()) {
          case ADD, SUB -> { }
          case MUL -> {
            if (differentiable(b.left())) {
              needed.add(b.right());
            }
            if (differentiable(b.right())) {
              needed.add(b.left());
            }
          }
          default -> {
            needed.add(b.left());
            needed.add(b.right());
            needed.add(n);
          }
        }
      } else if (n instanceof Ex.Reduce r) {
        if (r.op() != org.alan.compiler.ir.ReduceOp.SUM) {
          needed.add(r.arg());
          needed.add(n);
        }
      } else if (n instanceof Ex.Select s) {
        needed.add(s.index());
      }
    }
    // computing a needed node needs its children
    List<Ex> order = new ArrayList<>(nodes.keySet());
    for (int i = order.size() - 1; i >= 0; i--) {
      if (needed.contains(order.get(i))) {
        needed.addAll(children(order.get(i)));
      }
    }
    return needed;
  }

  private void compute(Ex n, CodeBlock.Builder code) {
    List<String> coords = openLoops(n.shape(), code);
    String target = ref("v", n, coords);
    if (n instanceof Ex.Reduce r) {
      forwardReduce(r, coords, target, code);
    } else if (n instanceof Ex.Select s) {
      code.addStatement("$L = $L", target, value(s.vector(), selectCoords(s, coords)));
    } else if (n instanceof Ex.Unary u) {
      code.addStatement("$L = $L", target, JavaOps.unary(u.op(), value(u.arg(), child(coords, u.arg()))));
    } else if (n instanceof Ex.Binary b) {
      code.addStatement("$L = $L", target, JavaOps.binary(b.op(), value(b.left(), child(coords, b.left())),
          value(b.right(), child(coords, b.right()))));
    }
    closeLoops(n.shape(), code);
  }

  private void forwardReduce(Ex.Reduce r, List<String> coords, String target, CodeBlock.Builder code) {
    String acc = prefix + "r" + coordCounter++;
    String start = switch (r.op()) {
      case SUM -> "0.0";
      case MIN -> "Double.POSITIVE_INFINITY";
      case MAX, LOGSUMEXP -> "Double.NEGATIVE_INFINITY";
    };
    code.addStatement("double $L = $L", acc, start);
    List<String> inner = reducedLoops(r, coords, code);
    Ex datum = fusedProduct(r.arg());
    String x;
    if (datum != null) {
      Ex.Binary b = (Ex.Binary) r.arg();
      code.beginControlFlow("if ($L != 0.0)", value(datum, child(inner, datum)));
      x = JavaOps.binary(b.op(), value(b.left(), child(inner, b.left())), value(b.right(), child(inner, b.right())));
    } else {
      x = value(r.arg(), inner);
    }
    switch (r.op()) {
      case SUM -> code.addStatement("$L += $L", acc, x);
      case MIN -> code.addStatement("$L = Math.min($L, $L)", acc, acc, x);
      case MAX, LOGSUMEXP -> code.addStatement("$L = $L > $L || Double.isNaN($L) ? $L : $L", acc, x, acc, x, x, acc);
    }
    if (datum != null) {
      code.endControlFlow();
    }
    closeReducedLoops(r, code);
    if (r.op() == org.alan.compiler.ir.ReduceOp.LOGSUMEXP) {
      String sum = acc + "s";
      code.addStatement("double $L = 0.0", sum);
      inner = reducedLoops(r, coords, code);
      code.addStatement("$L += Math.exp($L - $L)", sum, value(r.arg(), inner), acc);
      closeReducedLoops(r, code);
      code.addStatement("$L = $L == Double.NEGATIVE_INFINITY ? $L : $L + Math.log($L)", target, acc, acc, acc, sum);
    } else {
      code.addStatement("$L = $L", target, acc);
    }
  }

  // ------------------------------------------------------------------ reverse

  /** Zeroes the materialised nodes' adjoints: before the loops. */
  void clearMaterialisedAdjoints(CodeBlock.Builder code) {
    for (Map.Entry<Ex, Integer> e : nodes.entrySet()) {
      if (differentiable(e.getKey()) && !streamed(e.getKey()) && fusedProduct(e.getKey()) == null) {
        code.addStatement("java.util.Arrays.fill($L, 0.0)", name("a", e.getValue()));
      }
    }
  }

  /** Declares the streamed nodes' adjoints (zero): once per entry, after {@link #forwardStreamed}. */
  void clearStreamedAdjoints(CodeBlock.Builder code) {
    for (Map.Entry<Ex, Integer> e : nodes.entrySet()) {
      if (!differentiable(e.getKey()) || !streamed(e.getKey())) {
        continue;
      }
      if (e.getKey().shape().rank() == 0) {
        code.addStatement("double $L = 0.0", name("a", e.getValue()));
      }
      // a streamed vector's adjoint array is zero here: it starts so, and the reverse sweep clears what it reads
    }
  }

  /** Adds {@code adjoint} (a Java expression) to the adjoint of {@code root} at {@code coords}. */
  void seed(Ex root, List<String> coords, String adjoint, CodeBlock.Builder code) {
    if (differentiable(root)) {
      addAdjoint(root, coords, adjoint, code);
    }
  }

  /** Propagates the streamed nodes' adjoints, parents before children: inside the loops, after the seeds. */
  void reverseStreamed(CodeBlock.Builder code) {
    reverse(true, code);
  }

  /** Propagates the materialised nodes' adjoints, parents before children: after the loops. */
  void reverseMaterialised(CodeBlock.Builder code) {
    reverse(false, code);
  }

  private void reverse(boolean streamedNodes, CodeBlock.Builder code) {
    List<Ex> order = new ArrayList<>(nodes.keySet());
    for (int i = order.size() - 1; i >= 0; i--) {
      Ex n = order.get(i);
      if (!differentiable(n) || streamed(n) != streamedNodes || propagatedInParent.contains(n)) {
        continue;
      }
      if (!streamedNodes && n instanceof Ex.Reduce r && n.shape().rank() == 0 && fusedProduct(r.arg()) != null) {
        reverseFusedDot(r, code);
        continue;
      }
      if (!streamedNodes) {
        openParticleLoops(n, code);
      }
      List<String> coords = openLoops(n.shape(), code);
      String local = prefix + "g" + coordCounter++;
      code.addStatement("final double $L = $L", local, ref("a", n, coords));
      if (streamedNodes && n.shape().rank() > 0) {
        code.addStatement("$L = 0.0", ref("a", n, coords));
      }
      code.beginControlFlow("if ($L != 0.0)", local);
      propagate(n, coords, local, ref("v", n, coords), code);
      code.endControlFlow();
      closeLoops(n.shape(), code);
      if (!streamedNodes) {
        closeParticleLoops(n, code);
      }
    }
  }

  /**
   * The reverse of a materialised dot product of particles and data ({@link #fusedProduct}) with the coordinates
   * outside: a zero datum skips its coordinate once for all particles, and the particles' adjoints are written
   * along K (contiguous unless the latent is held transposed).
   */
  private void reverseFusedDot(Ex.Reduce r, CodeBlock.Builder code) {
    Ex datum = fusedProduct(r.arg());
    Ex.Binary product = (Ex.Binary) r.arg();
    Ex particles = product.left() == datum ? product.right() : product.left();
    if (!differentiable(particles)) {
      return;
    }
    propagatedInParent.add(product);
    List<String> inner = reducedLoops(r, List.of(), code);
    String x = prefix + "datum" + coordCounter++;
    code.addStatement("final double $L = $L", x, value(datum, child(inner, datum)));
    code.beginControlFlow("if ($L != 0.0)", x);
    openParticleLoops(r, code);
    String g = prefix + "g" + coordCounter++;
    code.addStatement("final double $L = $L", g, ref("a", r, List.of()));
    code.beginControlFlow("if ($L != 0.0)", g);
    addAdjoint(particles, child(inner, particles), g + " * " + x, code);
    code.endControlFlow();
    closeParticleLoops(r, code);
    code.endControlFlow();
    closeReducedLoops(r, code);
  }

  private void propagate(Ex n, List<String> coords, String g, String y, CodeBlock.Builder code) {
    if (n instanceof Ex.Unary u) {
      String x = value(u.arg(), child(coords, u.arg()));
      String d = switch (u.op()) {
        case NEG -> "-" + g;
        case EXP -> g + " * " + y;
        case LOG -> g + " / " + x;
        case LOG1P -> g + " / (1.0 + " + x + ")";
        case EXPM1 -> g + " * (" + y + " + 1.0)";
        case SQRT -> g + " * 0.5 / " + y;
        case ABS -> g + " * Math.signum(" + x + ")";
        case SIGMOID -> g + " * " + y + " * (1.0 - " + y + ")";
        case SOFTPLUS -> g + " * " + JavaOps.MATH + ".sigmoid(" + x + ")";
        case SQUARE -> "2.0 * " + g + " * " + x;
        case LOG1P_SQUARE -> g + " * " + JavaOps.MATH + ".log1pSquareDerivative(" + x + ")";
        case RECIPROCAL -> "-" + g + " * " + y + " * " + y;
        case LGAMMA -> g + " * " + JavaOps.MATH + ".digamma(" + x + ")";
        case LOG_SIGMOID -> g + " * " + JavaOps.MATH + ".sigmoid(-" + x + ")";
        case PHI -> g + " * " + JavaOps.MATH + ".standardNormalDensity(" + x + ")";
        case LOG_PHI -> g + " * " + JavaOps.MATH + ".logPhiDerivative(" + x + ")";
        case LOG_STEP, CHECK_POSITIVE, CHECK_NONNEGATIVE, CHECK_UNIT, CHECK_COUNT -> null; // piecewise constant
      };
      if (d != null) {
        seed(u.arg(), child(coords, u.arg()), d, code);
      }
    } else if (n instanceof Ex.Binary b) {
      Ex l = b.left();
      Ex r = b.right();
      String x = value(l, child(coords, l));
      String z = value(r, child(coords, r));
      String dl;
      String dr;
      String m = JavaOps.MATH;
      switch (b.op()) {
        case ADD -> { dl = g; dr = g; }
        case SUB -> { dl = g; dr = "-" + g; }
        case MUL -> { dl = g + " * " + z; dr = g + " * " + x; }
        case DIV -> { dl = g + " / " + z; dr = "-" + g + " * " + y + " / " + z; }
        case POW -> { dl = g + " * " + z + " * Math.pow(" + x + ", " + z + " - 1.0)";
                      dr = g + " * " + y + " * Math.log(" + x + ")"; }
        case MIN -> { dl = "(" + x + " <= " + z + " ? " + g + " : 0.0)"; dr = "(" + x + " <= " + z + " ? 0.0 : " + g + ")"; }
        case MAX -> { dl = "(" + x + " >= " + z + " ? " + g + " : 0.0)"; dr = "(" + x + " >= " + z + " ? 0.0 : " + g + ")"; }
        case XLOGY -> { dl = g + " * Math.log(" + z + ")"; dr = "(" + x + " == 0.0 ? 0.0 : " + g + " * " + x + " / " + z + ")"; }
        case XLOG1PY -> { dl = g + " * Math.log1p(" + z + ")";
                          dr = "(" + x + " == 0.0 ? 0.0 : " + g + " * " + x + " / (1.0 + " + z + "))"; }
        case LOG_CHOOSE -> {
          dl = g + " * (" + m + ".digamma(" + x + " + 1.0) - " + m + ".digamma(" + x + " - " + z + " + 1.0))";
          dr = g + " * (" + m + ".digamma(" + x + " - " + z + " + 1.0) - " + m + ".digamma(" + z + " + 1.0))";
        }
        case MASKED -> { dl = "0.0"; dr = "(" + x + " != 0.0 ? " + g + " : 0.0)"; }
        default -> throw new InternalCompilerError("no derivative for " + b.op() + " in " + where);
      }
      seed(l, child(coords, l), dl, code);
      seed(r, child(coords, r), dr, code);
    } else if (n instanceof Ex.Reduce r && r.op() == org.alan.compiler.ir.ReduceOp.SUM && inlinable(r.arg())) {
      // a sum's streamed vector argument read nowhere else (a dot product of the expanded square, per entry):
      // its adjoint is g at every coordinate, so it is propagated here, with no adjoint array to fill and read
      propagatedInParent.add(r.arg());
      List<String> inner = reducedLoops(r, coords, code);
      Ex fused = fusedProduct(r.arg());
      Ex datum = fused != null ? fused : dataFactor(r.arg());
      if (datum != null) {
        code.beginControlFlow("if ($L != 0.0)", value(datum, child(inner, datum)));
      }
      propagate(r.arg(), inner, g, fused != null ? null : ref("v", r.arg(), inner), code);
      if (datum != null) {
        code.endControlFlow();
      }
      closeReducedLoops(r, code);
    } else if (n instanceof Ex.Reduce r) {
      List<String> inner = reducedLoops(r, coords, code);
      String x = value(r.arg(), inner);
      String d = switch (r.op()) {
        case SUM -> g;
        case MIN, MAX -> "(" + x + " == " + y + " ? " + g + " : 0.0)";
        case LOGSUMEXP -> g + " * Math.exp(" + x + " - " + y + ")";
      };
      seed(r.arg(), inner, d, code);
      closeReducedLoops(r, code);
    } else if (n instanceof Ex.Select s) {
      seed(s.vector(), selectCoords(s, coords), g, code);
    }
  }

  /**
   * Whether a reduction's argument can be propagated inside the reduction's loop: a streamed internal node that is
   * read once, whose propagation does not need its own value (an elementwise sum, difference or product).
   */
  private boolean inlinable(Ex arg) {
    return nodes.containsKey(arg) && (streamed(arg) || fusedProduct(arg) != null)
        && parents.getOrDefault(arg, 0) == 1 && arg instanceof Ex.Binary b && switch (b.op()) {
          case ADD, SUB, MUL -> true;
          default -> false;
        };
  }

  /**
   * For a materialised product of a particle vector and a data vector that only a sum over its coordinates reads
   * ({@code dot(phi, company)}), the data factor: the sum is then computed from the two leaves directly (no array
   * of products) and, forward and backward, the coordinates where the data are 0 are skipped (a one-hot covariate
   * costs one coordinate, not all of them). Null for any other node.
   */
  private Ex fusedProduct(Ex n) {
    if (!(n instanceof Ex.Binary b) || b.op() != org.alan.compiler.ir.BinaryOp.MUL || !nodes.containsKey(n)
        || streamed(n) || parents.getOrDefault(n, 0) != 1 || !summedBy.containsKey(n)) {
      return null;
    }
    return dataFactor(b);
  }

  /**
   * The data factor of a product of particles and data: where it is 0 the product's adjoints are all 0 (the
   * particles are finite), so a one-hot covariate's other coordinates are skipped. Null for any other node.
   */
  private Ex dataFactor(Ex n) {
    if (!(n instanceof Ex.Binary b) || b.op() != org.alan.compiler.ir.BinaryOp.MUL) {
      return null;
    }
    return isData(b.right()) && isParticles(b.left()) ? b.right()
        : isData(b.left()) && isParticles(b.right()) ? b.left() : null;
  }

  private boolean isData(Ex e) {
    return e instanceof Ex.VarRef v && !model.variable(v.variable()).isLatent();
  }

  /** Particles are finite (the sampler checks), so a product with a zero datum is exactly zero. */
  private boolean isParticles(Ex e) {
    return e instanceof Ex.VarRef v && model.variable(v.variable()).isLatent();
  }

  private void addAdjoint(Ex n, List<String> coords, String adjoint, CodeBlock.Builder code) {
    if (n instanceof Ex.ParamRef p) {
      ParamIr param = model.params().get(p.param());
      code.addStatement("gq$L[bq$L + $L] += $L", param.id(), param.id(), flat(param.shape(), child(coords, n)),
          adjoint);
    } else if (n instanceof Ex.VarRef v) {
      VariableIr var = model.variable(v.variable());
      String k = ExprCodegen.kVar(model.groupOf(var.id()));
      String c = flat(var.eventShape(), child(coords, n));
      if (transposed(var)) {
        code.addStatement("$Lgzt$L[$L * $L + $L] += $L", prefix, var.id(), k, var.eventShape().size(), c, adjoint);
      } else {
        code.addStatement("gz$L[bz$L + ($L) * K + $L] += $L", var.id(), var.id(), c, k, adjoint);
      }
    } else {
      code.addStatement("$L += $L", ref("a", n, coords), adjoint);
    }
  }

  // ------------------------------------------------------------------ values and indices

  /** A Java expression for the value of {@code n} at {@code coords} (after {@link #forward}). */
  String value(Ex n, List<String> coords) {
    if (n instanceof Ex.Const c) {
      return JavaOps.literal(c.value());
    } else if (n instanceof Ex.VarRef v) {
      VariableIr var = model.variable(v.variable());
      String c = flat(var.eventShape(), child(coords, n));
      if (var.kind() == VarKind.LATENT && transposed(var)) {
        return prefix + "zt" + var.id() + "[" + ExprCodegen.kVar(model.groupOf(var.id())) + " * "
            + var.eventShape().size() + " + " + c + "]";
      }
      if (var.kind() == VarKind.LATENT) {
        return "z" + var.id() + "[bz" + var.id() + " + (" + c + ") * K + " + ExprCodegen.kVar(model.groupOf(var.id()))
            + "]";
      }
      return "x" + var.id() + "[bx" + var.id() + " + " + c + "]";
    } else if (n instanceof Ex.ParamRef p) {
      ParamIr param = model.params().get(p.param());
      return "q" + param.id() + "[bq" + param.id() + " + " + flat(param.shape(), child(coords, n)) + "]";
    }
    if (!nodes.containsKey(n)) {
      throw new InternalCompilerError("a value is read before it is computed in " + where);
    }
    return ref("v", n, coords);
  }

  private List<String> selectCoords(Ex.Select s, List<String> coords) {
    List<String> vc = new ArrayList<>(ExprCodegen.childCoords(coords, s.vector().shape().dropLast()));
    vc.add("(int) " + value(s.index(), child(coords, s.index())));
    return vc;
  }

  private static List<String> child(List<String> coords, Ex child) {
    return ExprCodegen.childCoords(coords, child.shape());
  }

  /** Opens one loop per axis of {@code shape}; returns the coordinate variables. */
  List<String> openLoops(Shape shape, CodeBlock.Builder code) {
    List<String> coords = new ArrayList<>();
    for (int a = 0; a < shape.rank(); a++) {
      String c = prefix + "c" + coordCounter++;
      coords.add(c);
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, shape.dim(a), c);
    }
    return coords;
  }

  static void closeLoops(Shape shape, CodeBlock.Builder code) {
    for (int a = 0; a < shape.rank(); a++) {
      code.endControlFlow();
    }
  }

  private List<String> reducedLoops(Ex.Reduce r, List<String> coords, CodeBlock.Builder code) {
    List<String> inner = new ArrayList<>(coords);
    int first = r.arg().shape().rank() - r.axes();
    for (int a = 0; a < r.axes(); a++) {
      String c = prefix + "c" + coordCounter++;
      inner.add(c);
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, r.arg().shape().dim(first + a), c);
    }
    return inner;
  }

  private static void closeReducedLoops(Ex.Reduce r, CodeBlock.Builder code) {
    for (int a = 0; a < r.axes(); a++) {
      code.endControlFlow();
    }
  }

  /** The row-major flat index of {@code coords} in {@code shape} ("0" for a scalar). */
  static String flat(Shape shape, List<String> coords) {
    if (shape.rank() == 0) {
      return "0";
    }
    String f = coords.get(0);
    for (int i = 1; i < shape.rank(); i++) {
      f = "(" + f + ") * " + shape.dim(i) + " + " + coords.get(i);
    }
    return f;
  }

  private String name(String kind, int id) {
    return prefix + kind + id;
  }
}
