package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.alan.compiler.analysis.KDims;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.Shape;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Emits the guide sampler of one latent group: for one element of the group's plate and each of the K
 * particles, the parents' particles are looked up through the state's parent-index arrays (spec section 2.2),
 * the proposal's arguments are evaluated at that point and each member is drawn in order (a later member sees
 * the same particle of an earlier one).
 */
final class SamplerEmitter {
  private static final ClassName STATE = ClassName.get("org.alan.runtime.engine", "ModelState");
  private static final ClassName RNG = ClassName.get("org.alan.runtime.sampling", "Rng");
  private static final ClassName SAMPLERS = ClassName.get("org.alan.runtime.sampling", "Samplers");

  private final ModelIr model;
  private final GroupIr group;
  private final ExprCodegen gen;
  private final Set<Integer> parents = new TreeSet<>();

  SamplerEmitter(ModelIr model, GroupIr group, int[] rank) {
    this.model = model;
    this.group = group;
    this.gen = new ExprCodegen(model, "the guide of '" + group.name() + "'", rank, false);
    for (int v : group.members()) {
      for (Ex a : model.proposal(v).arguments()) {
        parents.addAll(KDims.of(a, model));
      }
    }
    parents.remove(group.id());
  }

  /** The groups whose particles this group's proposals read. */
  Set<Integer> parents() {
    return parents;
  }

  MethodSpec emit(String methodName) {
    String k = ExprCodegen.kVar(group.id());
    CodeBlock.Builder loop = CodeBlock.builder();
    loop.beginControlFlow("for (int $L = 0; $L < K; $L++)", k, k, k);
    for (int h : parents) {
      loop.addStatement("final int $L = pi$L[pb$L + $L]", ExprCodegen.kVar(h), h, h, k);
    }
    Set<Integer> bound = new LinkedHashSet<>(parents);
    bound.add(group.id());
    int scratch = 0;
    List<Integer> scratchSizes = new ArrayList<>();
    for (int v : group.members()) {
      VariableIr var = model.variable(v);
      DistIr q = model.proposal(v);
      switch (q.family()) {
        case DIRICHLET, CATEGORICAL -> {
          int width = q.arguments().get(0).shape().last();
          scratchSizes.add(width);
          emitVectorDraw(loop, bound, var, q, "scratch" + scratch++, width);
        }
        default -> emitScalarDraws(loop, bound, var, q);
      }
    }
    loop.endControlFlow();

    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = st.K");
    int plate = group.plate();
    for (int q : model.plateChain(plate)) {
      code.addStatement("final int el$L = element / (st.plateCount[$L] / st.plateCount[$L])", q, plate, q);
    }
    Set<Integer> touched = new TreeSet<>(gen.usedVariables());
    touched.addAll(group.members());
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
    for (int p : gen.usedParams()) {
      ParamIr param = model.params().get(p);
      code.addStatement("final double[] q$L = st.params[$L]", p, p);
      code.addStatement("final int bq$L = el$L * $L", p, param.plate(), param.shape().size());
    }
    for (int h : parents) {
      code.addStatement("final int[] pi$L = st.parentIndex[$L][$L]", h, group.id(), h);
      code.addStatement("final int pb$L = el$L * K", h, model.group(h).plate());
    }
    for (int i = 0; i < scratchSizes.size(); i++) {
      code.addStatement("final double[] scratch$L = new double[$L]", i, scratchSizes.get(i));
    }
    code.add(loop.build());
    return MethodSpec.methodBuilder(methodName)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("Guide group $S.\n", group.name())
        .addParameter(STATE, "st")
        .addParameter(int.class, "element")
        .addParameter(RNG, "rng")
        .addCode(code.build())
        .build();
  }

  /** Draws every coordinate of a variable whose family is elementwise. */
  private void emitScalarDraws(CodeBlock.Builder loop, Set<Integer> bound, VariableIr var, DistIr q) {
    Shape shape = var.eventShape();
    List<String> coords = openCoordinateLoops(loop, shape, shape.rank());
    CodeBlock.Builder body = CodeBlock.builder();
    ExprCodegen.Ctx ctx = gen.context(bound, List.of(), body);
    List<String> args = new ArrayList<>();
    for (Ex a : q.arguments()) {
      args.add(gen.eval(a, coords, ctx));
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
      case UNIFORM -> "uniform";
      case BERNOULLI -> q.has("logits") ? "bernoulliLogits" : "bernoulliProbs";
      case BINOMIAL -> q.has("logits") ? "binomialLogits" : "binomialProbs";
      case POISSON -> "poisson";
      case CATEGORICAL, DIRICHLET -> throw new IllegalStateException("vector family");
    };
    String flat = flat(shape, coords);
    body.addStatement("z$L[bz$L + $L * K + $L] = $T.$L(rng, $L)", var.id(), var.id(), flat,
        ExprCodegen.kVar(group.id()), SAMPLERS, call, String.join(", ", args));
    loop.add(body.build());
    closeLoops(loop, shape.rank());
  }

  /** Draws a Dirichlet vector or a Categorical index per batch coordinate, from a vector argument. */
  private void emitVectorDraw(CodeBlock.Builder loop, Set<Integer> bound, VariableIr var, DistIr q, String scratch,
      int width) {
    Shape shape = var.eventShape();
    boolean dirichlet = q.family() == org.alan.stdlib.Distribution.DIRICHLET;
    int batchRank = dirichlet ? shape.rank() - 1 : shape.rank();
    List<String> batch = openCoordinateLoops(loop, shape, batchRank);
    String c = "v" + var.id();
    loop.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, width, c);
    CodeBlock.Builder body = CodeBlock.builder();
    ExprCodegen.Ctx ctx = gen.context(bound, List.of(), body);
    Ex arg = q.arguments().get(0);
    List<String> argCoords = new ArrayList<>(batch);
    argCoords.add(c);
    // the vector argument is read at the batch coordinates it broadcasts against, plus the category axis
    List<String> aligned = ExprCodegen.childCoords(argCoords, arg.shape());
    body.addStatement("$L[$L] = $L", scratch, c, gen.eval(arg, aligned, ctx));
    loop.add(body.build());
    loop.endControlFlow();
    String k = ExprCodegen.kVar(group.id());
    if (dirichlet) {
      String first = flat(shape, withLast(batch, "0"));
      loop.addStatement("$T.dirichlet(rng, $L, 0, 1, $L, z$L, bz$L + $L * K + $L, K)", SAMPLERS, scratch, width,
          var.id(), var.id(), first, k);
    } else {
      String method = q.has("logits") ? "categoricalLogits" : "categoricalProbs";
      loop.addStatement("z$L[bz$L + $L * K + $L] = $T.$L(rng, $L, 0, 1, $L)", var.id(), var.id(), flat(shape, batch),
          k, SAMPLERS, method, scratch, width);
    }
    closeLoops(loop, batchRank);
  }

  private static List<String> withLast(List<String> coords, String last) {
    List<String> out = new ArrayList<>(coords);
    out.add(last);
    return out;
  }

  private List<String> openCoordinateLoops(CodeBlock.Builder loop, Shape shape, int rank) {
    List<String> coords = new ArrayList<>();
    for (int a = 0; a < rank; a++) {
      String c = "e" + group.id() + "_" + a;
      coords.add(c);
      loop.beginControlFlow("for (int $L = 0; $L < $L; $L++)", c, c, shape.dim(a), c);
    }
    return coords;
  }

  private static void closeLoops(CodeBlock.Builder loop, int n) {
    for (int i = 0; i < n; i++) {
      loop.endControlFlow();
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
