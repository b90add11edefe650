package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.ir.DerivedIr;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;
import org.alan.stdlib.Distribution;

/**
 * Emits the code that draws variables, for one plate element:
 * <ul>
 *   <li>{@link #guideGroup}: the K particles of a guide group; parents' particles are looked up through the
 *       state's parent-index arrays (spec section 2.2) and each member is drawn in order (a later member sees the
 *       same particle of an earlier one);</li>
 *   <li>{@link #prior}: one draw of a latent or observed variable from the model, for simulating data (K = 1, so
 *       every parent's particle index is 0).</li>
 * </ul>
 */
final class SamplerEmitter {
  private static final ClassName STATE = ClassName.get("org.alan.runtime.engine", "ModelState");
  private static final ClassName RNG = ClassName.get("org.alan.runtime.sampling", "Rng");
  private static final ClassName SAMPLERS = ClassName.get("org.alan.runtime.sampling", "Samplers");

  private final ModelIr model;
  private final int[] rank;

  SamplerEmitter(ModelIr model, int[] rank) {
    this.model = model;
    this.rank = rank;
  }

  /** Where a draw is written: the array, and the index of coordinate 0 of particle k. */
  private record Target(String array, String base, String stride) {}

  /** Draws a truncated sampler makes before it gives up (NaN): the truncation keeps under 1e-5 of the mass. */
  private static final int MAX_REJECTIONS = 100_000;

  /** Per-method state: the expression generator, scratch vectors, variables touched. */
  private final class Body {
    final ExprCodegen gen;
    final List<Integer> scratchSizes = new ArrayList<>();
    final Set<Integer> written = new TreeSet<>();

    Body(String where) {
      gen = new ExprCodegen(model, where, rank, false);
    }
  }

  MethodSpec guideGroup(GroupIr group, String methodName) {
    Body body = new Body("the guide of '" + group.name() + "'");
    SortedSet<Integer> parents = new TreeSet<>();
    for (int v : group.members()) {
      for (Ex a : model.proposal(v).arguments()) {
        parents.addAll(KDims.of(a, model));
      }
    }
    parents.remove(group.id());
    String k = ExprCodegen.kVar(group.id());
    CodeBlock.Builder loop = CodeBlock.builder();
    loop.beginControlFlow("for (int $L = 0; $L < K; $L++)", k, k, k);
    for (int h : parents) {
      loop.addStatement("final int $L = pi$L[pb$L + $L]", ExprCodegen.kVar(h), h, h, k);
    }
    Set<Integer> bound = new LinkedHashSet<>(parents);
    bound.add(group.id());
    for (int v : group.members()) {
      body.written.add(v);
      emitDraw(body, loop, bound, model.variable(v), model.proposal(v),
          new Target("z" + v, "bz" + v + " + %s * K + " + k, "K"));
    }
    loop.endControlFlow();

    CodeBlock.Builder code = prologue(body, group.plate());
    for (int h : parents) {
      code.addStatement("final int[] pi$L = st.parentIndex[$L][$L]", h, group.id(), h);
      code.addStatement("final int pb$L = el$L * K", h, model.group(h).plate());
    }
    code.add(loop.build());
    return method(methodName, "Guide group \"" + group.name() + "\".", code);
  }

  MethodSpec prior(VariableIr v, String methodName) {
    Body body = new Body("the prior of '" + v.name() + "'");
    Set<Integer> bound = new LinkedHashSet<>(KDims.of(new Ex.VarRef(v.id(), v.eventShape()), model));
    for (Ex a : v.prior().arguments()) {
      bound.addAll(KDims.of(a, model));
    }
    CodeBlock.Builder draw = CodeBlock.builder();
    for (int g : bound) {
      draw.addStatement("final int $L = 0", ExprCodegen.kVar(g));
    }
    body.written.add(v.id());
    Target target = v.isLatent() ? new Target("z" + v.id(), "bz" + v.id() + " + %s * K", "K")
        : new Target("x" + v.id(), "bx" + v.id() + " + %s", "1");
    emitDraw(body, draw, bound, v, v.prior(), target);
    CodeBlock.Builder code = prologue(body, v.plate());
    code.add(draw.build());
    return method(methodName, "One draw of \"" + v.name() + "\" from the model.", code);
  }

  /**
   * Evaluates a derived quantity at one element of its plate into {@code out[offset + entry]} (K = 1, so every
   * latent's particle index is 0).
   */
  MethodSpec derived(int index, DerivedIr d, String methodName) {
    Body body = new Body("the derived quantity '" + d.name() + "'");
    Set<Integer> bound = new LinkedHashSet<>(KDims.of(d.value(), model));
    CodeBlock.Builder eval = CodeBlock.builder();
    for (int g : bound) {
      eval.addStatement("final int $L = 0", ExprCodegen.kVar(g));
    }
    Shape shape = d.shape();
    List<String> coords = openCoordinateLoops(eval, "d" + index, shape, shape.rank());
    CodeBlock.Builder entry = CodeBlock.builder();
    ExprCodegen.Ctx ctx = body.gen.context(bound, List.of(), entry);
    String value = body.gen.eval(d.value(), coords, ctx);
    entry.addStatement("out[offset + $L] = $L", flat(shape, coords), value);
    eval.add(entry.build());
    closeLoops(eval, shape.rank());
    CodeBlock.Builder code = prologue(body, d.plate());
    code.add(eval.build());
    return MethodSpec.methodBuilder(methodName)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("Derived quantity \"$L\".\n", d.name())
        .addParameter(STATE, "st")
        .addParameter(int.class, "element")
        .addParameter(double[].class, "out")
        .addParameter(int.class, "offset")
        .addCode(code.build())
        .build();
  }

  private MethodSpec method(String name, String doc, CodeBlock.Builder code) {
    return MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("$L\n", doc)
        .addParameter(STATE, "st")
        .addParameter(int.class, "element")
        .addParameter(RNG, "rng")
        .addCode(code.build())
        .build();
  }

  /** Element indices of the plate chain, arrays and base offsets of everything the draws read and write. */
  private CodeBlock.Builder prologue(Body body, int plate) {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = st.K");
    for (int q : model.plateChain(plate)) {
      if (model.regularBetween(plate, q)) {
        code.addStatement("final int el$L = element / (st.plateCount[$L] / st.plateCount[$L])", q, plate, q);
      } else {
        code.addStatement("final int el$L = st.ancestorElement($L, element, $L)", q, plate, q);
      }
    }
    Set<Integer> touched = new TreeSet<>(body.gen.usedVariables());
    touched.addAll(body.written);
    for (int v : touched) {
      VariableIr var = model.variable(v);
      if (var.kind() == VarKind.LATENT) {
        code.addStatement("final double[] z$L = st.samples[$L]", v, v);
        code.addStatement("final int bz$L = el$L * $L * K", v, var.plate(), var.eventShape().size());
      } else {
        code.addStatement("final double[] x$L = st.values[$L]", v, v);
        code.addStatement("final int bx$L = el$L * $L", v, var.plate(), var.eventShape().size());
      }
    }
    for (int p : body.gen.usedParams()) {
      ParamIr param = model.params().get(p);
      code.addStatement("final double[] q$L = st.params[$L]", p, p);
      code.addStatement("final int bq$L = el$L * $L", p, param.plate(), param.shape().size());
    }
    for (int i = 0; i < body.scratchSizes.size(); i++) {
      code.addStatement("final double[] scratch$L = new double[$L]", i, body.scratchSizes.get(i));
    }
    return code;
  }

  private void emitDraw(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var, DistIr dist,
      Target target) {
    if (dist.family() == Distribution.MULTIVARIATE_NORMAL) {
      int width = var.eventShape().last();
      body.scratchSizes.add(width);
      emitMultivariateNormalDraw(body, code, bound, var, dist, "scratch" + (body.scratchSizes.size() - 1), width,
          target);
    } else if (dist.family() == Distribution.MULTINOMIAL) {
      int width = dist.arguments().get(1).shape().last();
      body.scratchSizes.add(width);
      emitMultinomialDraw(body, code, bound, var, dist, "scratch" + (body.scratchSizes.size() - 1), width, target);
    } else if (dist.family() == Distribution.DIRICHLET || dist.family() == Distribution.CATEGORICAL) {
      int width = dist.arguments().get(0).shape().last();
      body.scratchSizes.add(width);
      emitVectorDraw(body, code, bound, var, dist, "scratch" + (body.scratchSizes.size() - 1), width, target);
    } else {
      emitScalarDraws(body, code, bound, var, dist, target);
    }
  }

  /** Draws every coordinate of a variable whose family is elementwise. */
  private void emitScalarDraws(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var, DistIr q,
      Target target) {
    Shape shape = var.eventShape();
    List<String> coords = openCoordinateLoops(code, var, shape, shape.rank());
    CodeBlock.Builder draw = CodeBlock.builder();
    ExprCodegen.Ctx ctx = body.gen.context(bound, List.of(), draw);
    List<String> args = new ArrayList<>();
    for (Ex a : q.arguments()) {
      args.add(body.gen.eval(a, coords, ctx));
    }
    String call = switch (q.family()) {
      case NORMAL -> "normal";
      case HALF_NORMAL -> "halfNormal";
      case LOG_NORMAL -> "logNormal";
      case STUDENT_T -> "studentT";
      case CAUCHY -> "cauchy";
      case HALF_CAUCHY -> "halfCauchy";
      case EXPONENTIAL -> "exponential";
      case GAMMA -> "gamma";
      case BETA -> "beta";
      case SCALED_BETA -> "scaledBeta";
      case UNIFORM -> "uniform";
      case BERNOULLI -> q.has("logits") ? "bernoulliLogits" : "bernoulliProbs";
      case BINOMIAL -> q.has("logits") ? "binomialLogits" : "binomialProbs";
      case POISSON -> "poisson";
      case INVERSE_GAMMA -> "inverseGamma";
      case WEIBULL -> "weibull";
      case LAPLACE -> "laplace";
      case LOGISTIC -> "logistic";
      case LOGIT_NORMAL -> "logitNormal";
      case NEGATIVE_BINOMIAL -> q.has("log_mean") ? "negativeBinomialLogMean" : "negativeBinomial";
      case BETA_BINOMIAL -> "betaBinomial";
      case GEOMETRIC -> "geometric";
      case FLAT -> "flatSurrogate";
      case HALF_FLAT -> "halfFlatSurrogate";
      case CATEGORICAL, DIRICHLET, MULTINOMIAL, MULTIVARIATE_NORMAL -> throw new IllegalStateException("vector family");
    };
    args.add(0, "rng");
    String at = String.format(target.base(), flat(shape, coords));
    if (q.truncated()) {
      // by rejection from the untruncated family: what the truncation keeps is drawn exactly, and one it keeps
      // almost nothing of gives NaN, reported as a failed draw, rather than looping for ever
      String lo = body.gen.eval(q.lower(), ExprCodegen.childCoords(coords, q.lower().shape()), ctx);
      String hi = body.gen.eval(q.upper(), ExprCodegen.childCoords(coords, q.upper().shape()), ctx);
      String t = "truncated" + var.id();
      draw.addStatement("double $L = $T.$L($L)", t, SAMPLERS, call, String.join(", ", args));
      draw.addStatement("for (int tries = 1; !($L >= $L && $L <= $L) && tries < $L; tries++) $L = $T.$L($L)", t, lo,
          t, hi, MAX_REJECTIONS, t, SAMPLERS, call, String.join(", ", args));
      draw.addStatement("$L[$L] = $L >= $L && $L <= $L ? $L : Double.NaN", target.array(), at, t, lo, t, hi, t);
    } else {
      draw.addStatement("$L[$L] = $T.$L($L)", target.array(), at, SAMPLERS, call, String.join(", ", args));
    }
    code.add(draw.build());
    closeLoops(code, shape.rank());
  }

  /** Draws a Dirichlet vector or a Categorical index per batch coordinate, from a vector argument. */
  private void emitVectorDraw(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var, DistIr q,
      String scratch, int width, Target target) {
    Shape shape = var.eventShape();
    boolean dirichlet = q.family() == Distribution.DIRICHLET;
    int batchRank = dirichlet ? shape.rank() - 1 : shape.rank();
    List<String> batch = openCoordinateLoops(code, var, shape, batchRank);
    fillScratch(body, code, bound, var, q.arguments().get(0), batch, scratch, width);
    if (dirichlet) {
      List<String> first = new ArrayList<>(batch);
      first.add("0");
      code.addStatement("$T.dirichlet(rng, $L, 0, 1, $L, $L, $L, $L)", SAMPLERS, scratch, width, target.array(),
          String.format(target.base(), flat(shape, first)), target.stride());
    } else {
      String method = q.has("logits") ? "categoricalLogits" : "categoricalProbs";
      code.addStatement("$L[$L] = $T.$L(rng, $L, 0, 1, $L)", target.array(),
          String.format(target.base(), flat(shape, batch)), SAMPLERS, method, scratch, width);
    }
    closeLoops(code, batchRank);
  }

  /** Draws loc + L z for z standard normal, L the Cholesky factor the model computed from the data. */
  private void emitMultivariateNormalDraw(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var,
      DistIr q, String scratch, int width, Target target) {
    String i = "v" + var.id();
    String j = "w" + var.id();
    code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, width, i);
    code.addStatement("$L[$L] = rng.gaussian()", scratch, i);
    code.endControlFlow();
    code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, width, i);
    CodeBlock.Builder row = CodeBlock.builder();
    ExprCodegen.Ctx ctx = body.gen.context(bound, List.of(), row);
    Ex loc = q.argument("loc");
    row.addStatement("double sum$L = $L", var.id(), body.gen.eval(loc, ExprCodegen.childCoords(List.of(i),
        loc.shape()), ctx));
    code.add(row.build());
    code.beginControlFlow("for (int $L = 0; $L <= $L; $L++)", j, j, i, j);
    CodeBlock.Builder term = CodeBlock.builder();
    ExprCodegen.Ctx termCtx = body.gen.context(bound, List.of(), term);
    Ex tril = q.argument("scale_tril");
    term.addStatement("sum$L += $L * $L[$L]", var.id(), body.gen.eval(tril, List.of(i, j), termCtx), scratch, j);
    code.add(term.build());
    code.endControlFlow();
    code.addStatement("$L[$L] = sum$L", target.array(), String.format(target.base(), flat(var.eventShape(),
        List.of(i))), var.id());
    code.endControlFlow();
  }

  /** Evaluates a vector argument at the batch coordinates into {@code scratch[0 .. width)}. */
  private void fillScratch(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var, Ex argument,
      List<String> batch, String scratch, int width) {
    String c = "v" + var.id();
    code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, width, c);
    CodeBlock.Builder fill = CodeBlock.builder();
    ExprCodegen.Ctx ctx = body.gen.context(bound, List.of(), fill);
    List<String> argCoords = new ArrayList<>(batch);
    argCoords.add(c);
    fill.addStatement("$L[$L] = $L", scratch, c, body.gen.eval(argument, ExprCodegen.childCoords(argCoords,
        argument.shape()), ctx));
    code.add(fill.build());
    code.endControlFlow();
  }

  /** Draws a Multinomial count vector per batch coordinate, by successive binomials over its categories. */
  private void emitMultinomialDraw(Body body, CodeBlock.Builder code, Set<Integer> bound, VariableIr var, DistIr q,
      String scratch, int width, Target target) {
    Shape shape = var.eventShape();
    int batchRank = shape.rank() - 1;
    List<String> batch = openCoordinateLoops(code, var, shape, batchRank);
    fillScratch(body, code, bound, var, q.arguments().get(1), batch, scratch, width);
    CodeBlock.Builder draw = CodeBlock.builder();
    ExprCodegen.Ctx countCtx = body.gen.context(bound, List.of(), draw);
    Ex n = q.arguments().get(0);
    String total = body.gen.eval(n, ExprCodegen.childCoords(batch, n.shape()), countCtx);
    List<String> first = new ArrayList<>(batch);
    first.add("0");
    draw.addStatement("$T.multinomial(rng, $L, $L, $L, $L, $L, $L, $L)", SAMPLERS, total, scratch, width,
        q.has("logits"), target.array(), String.format(target.base(), flat(shape, first)), target.stride());
    code.add(draw.build());
    closeLoops(code, batchRank);
  }

  private static List<String> openCoordinateLoops(CodeBlock.Builder code, VariableIr var, Shape shape, int rank) {
    return openCoordinateLoops(code, "e" + var.id(), shape, rank);
  }

  private static List<String> openCoordinateLoops(CodeBlock.Builder code, String prefix, Shape shape, int rank) {
    List<String> coords = new ArrayList<>();
    for (int a = 0; a < rank; a++) {
      String c = prefix + "_" + a;
      coords.add(c);
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, shape.dim(a), c);
    }
    return coords;
  }

  private static void closeLoops(CodeBlock.Builder code, int n) {
    for (int i = 0; i < n; i++) {
      code.endControlFlow();
    }
  }

  private static String flat(Shape shape, List<String> coords) {
    if (coords.isEmpty()) {
      return "0";
    }
    String f = coords.get(0);
    for (int i = 1; i < coords.size(); i++) {
      f = "(" + f + " * " + shape.dim(i) + " + " + coords.get(i) + ")";
    }
    return f;
  }
}
