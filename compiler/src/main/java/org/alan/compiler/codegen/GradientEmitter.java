package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.lang.model.element.Modifier;
import org.alan.compiler.analysis.FactorIr;
import org.alan.compiler.ir.DistIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.GroupIr;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Emits the gradient code that VI and RWS use (spec section 4.1-4.2):
 * <ul>
 *   <li>per factor, a {@code FactorGradient} class: for one plate element, {@code sum over the factor's entries of
 *       w[entry] * d(log factor entry)/d(inputs)}, where {@code w} is the entry's posterior marginal from the
 *       backward pass (the derivative of the log marginal likelihood estimate with respect to that entry), added
 *       into gradient arrays laid out like the particles and the parameters;</li>
 *   <li>per group, {@code reparameterise}: the chain rule from the particles' gradients to the proposal's
 *       parameters through the sampler, {@code z = loc + scale * eps} and its relatives, for VI's pathwise
 *       gradient.</li>
 * </ul>
 * Both are unrolled reverse sweeps ({@link ReverseMode}).
 */
final class GradientEmitter {
  static final ClassName GRADIENT = ClassName.get("org.alan.runtime.model", "FactorGradient");
  private static final ClassName STATE = ClassName.get("org.alan.runtime.engine", "ModelState");

  private final ModelIr model;
  private final int[] rank;

  /** @param rank the canonical rank of every group (for {@link SquareExpansion}, as in the forward kernels) */
  GradientEmitter(ModelIr model, int[] rank) {
    this.model = model;
    this.rank = rank;
  }

  /** Why the gradient passes are not available for this model, or null when they are. */
  String gradientProblem(List<FactorIr> factors) {
    for (FactorIr f : factors) {
      if (!ReverseMode.supports(f.logFactor())) {
        return "the proposal of group '" + model.group(f.group()).name() + "' reads particles of another group;"
            + " vi and rws need every proposal's arguments to be guide parameters, data or latents of its own group";
      }
    }
    return null;
  }

  /** Why VI's pathwise gradient is not available, or null when it is. */
  String reparameterisationProblem() {
    for (VariableIr v : model.latents()) {
      DistIr q = model.proposal(v.id());
      ReverseMode rm = new ReverseMode(model, q.arguments(), List.of(model.groupOf(v.id())), "",
          "the proposal of '" + v.name() + "'");
      for (int i = 0; i < q.arguments().size(); i++) {
        String parameter = q.parameters().get(i).name();
        if (rm.differentiable(q.arguments().get(i)) && !reparameterised(q, parameter)) {
          return "'" + v.name() + "' has a " + q.family().alanName() + " proposal whose " + parameter
              + " is learned, and a " + q.family().alanName() + " draw has no reparameterised gradient in it;"
              + " fit it with --method rws or qem, or give it a Normal or LogNormal proposal";
        }
      }
    }
    return null;
  }

  private static boolean reparameterised(DistIr q, String parameter) {
    if (q.truncated()) {
      return false; // drawn by rejection: no differentiable path from the parameters to the draw
    }
    return switch (q.family()) {
      case NORMAL, CAUCHY, LOG_NORMAL, HALF_NORMAL, HALF_CAUCHY, EXPONENTIAL, UNIFORM -> true;
      case STUDENT_T -> !parameter.equals("df");
      default -> false;
    };
  }

  // ------------------------------------------------------------------ factor gradients

  /**
   * @param fixedParticles differentiate with respect to the parameters only (the particles held fixed, as RWS
   *     does): only the terms that read a parameter are differentiated, and no particle gradient is written
   */
  TypeSpec factorClass(FactorIr factor, int[] dims, String className, boolean fixedParticles) {
    return factorClass(factor, dims, className, fixedParticles, true);
  }

  /**
   * @param transposeLatents hold vector latents transposed while the entries are looped: worth it where many
   *     entries read each particle's coordinates, not for the parts of a split factor (K entries per element,
   *     zero data skipped)
   */
  TypeSpec factorClass(FactorIr factor, int[] dims, String className, boolean fixedParticles,
      boolean transposeLatents) {
    String where = "the gradient of factor " + factor.name();
    // the expanded squares of the forward kernels: a dot product per entry instead of a difference, a product and a
    // square per coordinate
    Ex logFactor = SquareExpansion.rewrite(factor.logFactor(), new org.alan.compiler.analysis.KDims.Memo(model)::of,
        rank);
    List<Integer> loops = java.util.Arrays.stream(dims).boxed().toList();
    ReverseMode rm = new ReverseMode(model, List.of(logFactor), loops, "", where);
    if (fixedParticles) {
      rm.holdingParticlesFixed();
    }
    if (transposeLatents) {
      rm.transposingLatents();
    }
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addSuperinterface(GRADIENT)
        .addJavadoc("The gradient of factor $S over its $L dimension(s)$L.\n", factor.name(), dims.length,
            fixedParticles ? ", with respect to the parameters only (particles fixed)" : "");
    type.addField(FieldSpec.builder(ClassName.get("org.alan.runtime.engine", "ModelState"), "st",
        Modifier.PRIVATE, Modifier.FINAL).build());
    rm.addFields(type);
    CodeBlock.Builder constructor = CodeBlock.builder().addStatement("this.st = st").addStatement("final int K = st.K");
    rm.initialiseFields(constructor);
    type.addMethod(MethodSpec.constructorBuilder().addParameter(STATE, "st").addCode(constructor.build()).build());

    CodeBlock.Builder code = CodeBlock.builder();
    if (rm.differentiable(logFactor)) {
      addBases(code, factor.plate(), Set.of(), List.of(rm));
      rm.transposeIn(code);
      rm.forwardMaterialised(code);
      rm.clearMaterialisedAdjoints(code);
      code.addStatement("int j = woff");
      for (int d : dims) {
        String k = ExprCodegen.kVar(d);
        code.beginControlFlow("for (int $L = 0; $L < K; $L++)", k, k, k);
      }
      code.addStatement("final double wj = w[j++]");
      code.beginControlFlow("if (wj != 0.0)");
      rm.forwardStreamed(code);
      rm.clearStreamedAdjoints(code);
      rm.seed(logFactor, List.of(), "wj", code);
      rm.reverseStreamed(code);
      code.endControlFlow();
      for (int ignored : dims) {
        code.endControlFlow();
      }
      rm.reverseMaterialised(code);
      rm.transposeOut(code);
    }
    type.addMethod(MethodSpec.methodBuilder("accumulate")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(int.class, "element")
        .addParameter(double[].class, "w")
        .addParameter(int.class, "woff")
        .addParameter(double[][].class, "gz")
        .addParameter(double[][].class, "gq")
        .addCode(code.build())
        .build());
    return type.build();
  }

  /**
   * Plate element indices, and arrays and base offsets of every variable and parameter read: values
   * ({@code z<v>}, {@code x<v>}, {@code q<p>}) and gradients ({@code gz<v>}, {@code gq<p>}).
   */
  private void addBases(CodeBlock.Builder code, int plate, Set<Integer> written, List<ReverseMode> parts) {
    code.addStatement("final int K = st.K");
    for (int q : model.plateChain(plate)) {
      if (model.regularBetween(plate, q)) {
        code.addStatement("final int el$L = element / (st.plateCount[$L] / st.plateCount[$L])", q, plate, q);
      } else {
        code.addStatement("final int el$L = st.ancestorElement($L, element, $L)", q, plate, q);
      }
    }
    Set<Integer> latents = new TreeSet<>(written);
    Set<Integer> data = new TreeSet<>();
    Set<Integer> params = new TreeSet<>();
    for (ReverseMode rm : parts) {
      latents.addAll(rm.latents());
      data.addAll(rm.data());
      params.addAll(rm.params());
    }
    for (int v : latents) {
      VariableIr var = model.variable(v);
      code.addStatement("final double[] z$L = st.samples[$L], gz$L = gz[$L]", v, v, v, v);
      code.addStatement("final int bz$L = el$L * $L * K", v, var.plate(), var.eventShape().size());
    }
    for (int v : data) {
      VariableIr var = model.variable(v);
      code.addStatement("final double[] x$L = st.values[$L]", v, v);
      code.addStatement("final int bx$L = el$L * $L", v, var.plate(), var.eventShape().size());
    }
    for (int p : params) {
      ParamIr param = model.params().get(p);
      code.addStatement("final double[] q$L = st.params[$L], gq$L = gq[$L]", p, p, p, p);
      code.addStatement("final int bq$L = el$L * $L", p, param.plate(), param.shape().size());
    }
  }

  // ------------------------------------------------------------------ reparameterisation

  /**
   * For one element of the group's plate: adds to the proposal parameters' gradients (and to those of earlier
   * members that later members' proposals read) the particles' gradients times the derivative of each draw with
   * respect to its distribution's arguments. Members go in reverse sampling order, so a member's gradient is
   * complete before it is passed on.
   */
  MethodSpec reparameterise(GroupIr group, String methodName) {
    List<Integer> members = new ArrayList<>(group.members());
    java.util.Collections.reverse(members);
    List<ReverseMode> parts = new ArrayList<>();
    CodeBlock.Builder outer = CodeBlock.builder();
    CodeBlock.Builder loop = CodeBlock.builder();
    CodeBlock.Builder after = CodeBlock.builder();
    String k = ExprCodegen.kVar(group.id());
    loop.beginControlFlow("for (int $L = 0; $L < K; $L++)", k, k, k);
    for (int v : members) {
      VariableIr var = model.variable(v);
      DistIr q = model.proposal(v);
      ReverseMode rm = new ReverseMode(model, q.arguments(), List.of(group.id()), "m" + v + "_",
          "the proposal of '" + var.name() + "'");
      boolean any = false;
      for (Ex a : q.arguments()) {
        any |= rm.differentiable(a);
      }
      if (!any || var.prior().family().isDiscrete()) {
        continue;
      }
      parts.add(rm);
      q.arguments().forEach(rm::require);
      loop.add("// $L\n", var.name());
      rm.forwardMaterialised(outer);
      rm.clearMaterialisedAdjoints(outer);
      rm.forwardStreamed(loop);
      rm.clearStreamedAdjoints(loop);
      List<String> coords = rm.openLoops(var.eventShape(), loop);
      String c = ReverseMode.flat(var.eventShape(), coords);
      loop.addStatement("final double g$L = gz$L[bz$L + ($L) * K + $L]", v, v, v, c, k);
      loop.addStatement("final double y$L = z$L[bz$L + ($L) * K + $L]", v, v, v, c, k);
      seedDraw(rm, q, coords, "g" + v, "y" + v, loop);
      ReverseMode.closeLoops(var.eventShape(), loop);
      rm.reverseStreamed(loop);
      rm.reverseMaterialised(after);
    }
    loop.endControlFlow();
    CodeBlock.Builder code = CodeBlock.builder();
    if (!parts.isEmpty()) {
      addBases(code, group.plate(), new TreeSet<>(group.members()), parts);
      for (ReverseMode rm : parts) {
        rm.declareArrays(code);
      }
      code.add(outer.build());
      code.add(loop.build());
      code.add(after.build());
    }
    return MethodSpec.methodBuilder(methodName)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .addJavadoc("Reparameterisation gradients of group \"$L\".\n", group.name())
        .addParameter(STATE, "st")
        .addParameter(int.class, "element")
        .addParameter(double[][].class, "gz")
        .addParameter(double[][].class, "gq")
        .addCode(code.build())
        .build();
  }

  /** Seeds the adjoints of a proposal's arguments with {@code g * dz/d(argument)} at draw {@code y}. */
  private static void seedDraw(ReverseMode rm, DistIr q, List<String> coords, String g, String y,
      CodeBlock.Builder code) {
    switch (q.family()) {
      case NORMAL, CAUCHY, STUDENT_T -> {
        Ex loc = q.argument("loc");
        Ex scale = q.argument("scale");
        String s = rm.value(scale, ExprCodegen.childCoords(coords, scale.shape()));
        String l = rm.value(loc, ExprCodegen.childCoords(coords, loc.shape()));
        rm.seed(loc, ExprCodegen.childCoords(coords, loc.shape()), g, code);
        rm.seed(scale, ExprCodegen.childCoords(coords, scale.shape()), g + " * (" + y + " - " + l + ") / " + s, code);
      }
      case LOG_NORMAL -> {
        Ex loc = q.argument("loc");
        Ex scale = q.argument("scale");
        String s = rm.value(scale, ExprCodegen.childCoords(coords, scale.shape()));
        String l = rm.value(loc, ExprCodegen.childCoords(coords, loc.shape()));
        rm.seed(loc, ExprCodegen.childCoords(coords, loc.shape()), g + " * " + y, code);
        rm.seed(scale, ExprCodegen.childCoords(coords, scale.shape()),
            g + " * " + y + " * (Math.log(" + y + ") - " + l + ") / " + s, code);
      }
      case HALF_NORMAL, HALF_CAUCHY -> {
        Ex scale = q.argument("scale");
        String s = rm.value(scale, ExprCodegen.childCoords(coords, scale.shape()));
        rm.seed(scale, ExprCodegen.childCoords(coords, scale.shape()), g + " * " + y + " / " + s, code);
      }
      case EXPONENTIAL -> {
        Ex rate = q.argument("rate");
        String r = rm.value(rate, ExprCodegen.childCoords(coords, rate.shape()));
        rm.seed(rate, ExprCodegen.childCoords(coords, rate.shape()), "-" + g + " * " + y + " / " + r, code);
      }
      case UNIFORM -> {
        Ex low = q.argument("low");
        Ex high = q.argument("high");
        String lo = rm.value(low, ExprCodegen.childCoords(coords, low.shape()));
        String hi = rm.value(high, ExprCodegen.childCoords(coords, high.shape()));
        rm.seed(low, ExprCodegen.childCoords(coords, low.shape()),
            g + " * (" + hi + " - " + y + ") / (" + hi + " - " + lo + ")", code);
        rm.seed(high, ExprCodegen.childCoords(coords, high.shape()),
            g + " * (" + y + " - " + lo + ") / (" + hi + " - " + lo + ")", code);
      }
      default -> { } // not reparameterised: refused before any run (reparameterisationProblem)
    }
  }
}
