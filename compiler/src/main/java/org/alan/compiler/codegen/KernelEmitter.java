package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;
import org.alan.compiler.analysis.FactorIr;
import org.alan.compiler.ir.Ex;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.ir.PlateIr;
import org.alan.compiler.ir.ParamIr;
import org.alan.compiler.ir.ReduceOp;
import org.alan.compiler.ir.VarKind;
import org.alan.compiler.ir.VariableIr;

/**
 * Emits the kernel class of one factor: code that fills blocks of the factor's log values over its K
 * dimensions for one plate element.
 *
 * <p>The factor's dimensions are looped in the plan's canonical order; the last one is the innermost loop
 * ("the row"), which runs over contiguous memory. Every subexpression is computed at the loop level of its
 * index signature (engine-design section 1):
 * <ul>
 *   <li>a subexpression that varies along the row and along every outer loop is computed inline in the row
 *       loop;</li>
 *   <li>one that does not vary along the row is computed once per outer iteration, before the row loop;</li>
 *   <li>one that varies along the row but not along every outer loop, and every costly one (a reduction, the
 *       mixture over guide parents) whose signature is smaller than the loops around it, is materialised: an
 *       array over exactly its own K dimensions and event coordinates, computed in {@code prepare} (again only
 *       when the plate elements it depends on change) or once when it reads no plated value.</li>
 * </ul>
 * Sums over event coordinates that span the whole row are accumulated straight into the output row, so no
 * tensor larger than a row is ever built for them.
 */
final class KernelEmitter {
  private static final ClassName STATE = ClassName.get("org.alan.runtime.engine", "ModelState");
  private static final ClassName KERNEL = ClassName.get("org.alan.runtime.model", "FactorKernel");
  private static final ClassName SUPPORT = ExprCodegen.SUPPORT;

  private final ModelIr model;
  private final FactorIr factor;
  private final int[] dims;
  private final int lead;
  private final int[] rank;
  private final ExprCodegen gen;

  /**
   * @param dims the factor's dimensions in canonical order
   * @param lead how many leading dimensions the consuming step sums over (each {@code fill} has them fixed)
   */
  private final boolean vector;

  /**
   * @param vector emit the Vector API variant (span loops as {@code DoubleVector} lanes)
   */
  KernelEmitter(ModelIr model, FactorIr factor, int[] dims, int lead, int[] rank, boolean vector) {
    this.model = model;
    this.factor = factor;
    this.dims = dims.clone();
    this.lead = lead;
    this.rank = rank;
    this.vector = vector;
    this.gen = new ExprCodegen(model, "factor " + factor.name(), rank, true, vector);
  }

  TypeSpec emit(String className) {
    CodeBlock fillBody = emitFill();
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addSuperinterface(KERNEL)
        .addJavadoc("Factor $S: $L dimension(s), $L of them fixed per block$L.\n", factor.name(), dims.length, lead,
            vector ? "; Vector API loops" : "");
    if (vector) {
      addVectorConstants(type);
    }
    addFields(type);
    type.addMethod(constructor());
    type.addMethod(prepare());
    type.addMethod(rangeMethod("fill")
        .addStatement("$T.fill(out, off, off + to - from, 0.0)", Arrays.class)
        .addStatement("add(lead, from, to, out, off)")
        .build());
    type.addMethod(rangeMethod("add").addCode(fillBody).build());
    return type.build();
  }

  /** A method over a range of one block: {@code (lead, from, to, out, off)}, as {@code FactorKernel} has them. */
  private static MethodSpec.Builder rangeMethod(String name) {
    return MethodSpec.methodBuilder(name)
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(int.class, "lead")
        .addParameter(int.class, "from")
        .addParameter(int.class, "to")
        .addParameter(double[].class, "out")
        .addParameter(int.class, "off");
  }

  // ------------------------------------------------------------------ fill

  /**
   * One pass over the requested entries per group of terms. Each term gets the widest span (trailing block
   * dimensions flattened into one loop) that its operands allow; the block dimensions before the span are decoded
   * per "super-row".
   */
  private CodeBlock emitFill() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = this.K");
    if (lead > 0) {
      code.addStatement("int rem = lead");
      for (int i = lead - 1; i >= 0; i--) {
        code.addStatement("final int $L = rem % K", ExprCodegen.kVar(dims[i]));
        if (i > 0) {
          code.addStatement("rem /= K");
        }
      }
    }
    List<Integer> block = new ArrayList<>();
    for (int i = lead; i < dims.length; i++) {
      block.add(dims[i]);
    }
    Set<Integer> leadDims = new LinkedHashSet<>();
    for (int i = 0; i < lead; i++) {
      leadDims.add(dims[i]);
    }
    List<ExprCodegen.Term> terms = new ArrayList<>();
    ExprCodegen.flattenSum(SquareExpansion.rewrite(factor.logFactor(), gen::kdims, rank), 1.0, terms);
    if (factor.subtractsLogK()) {
      terms.add(new ExprCodegen.Term(-1.0, null));
    }
    // group the terms by span width; reductions whose argument varies along their span get their own pass
    Map<Integer, List<ExprCodegen.Term>> plain = new TreeMap<>();
    List<Map.Entry<Integer, ExprCodegen.Term>> reductions = new ArrayList<>();
    for (ExprCodegen.Term t : terms) {
      int width = spanWidth(t.node(), leadDims, block);
      List<Integer> span = block.subList(block.size() - width, block.size());
      Set<Integer> bound = boundFor(leadDims, block, width);
      ExprCodegen.Ctx probe = gen.context(bound, span, CodeBlock.builder());
      if (t.node() instanceof Ex.Reduce r && r.op() == ReduceOp.SUM && r.shape().rank() == 0
          && gen.dependsOnSpan(r, probe) && !gen.shouldMaterialise(r, probe)) {
        reductions.add(Map.entry(width, t));
      } else {
        plain.computeIfAbsent(width, w -> new ArrayList<>()).add(t);
      }
    }
    for (Map.Entry<Integer, List<ExprCodegen.Term>> group : plain.entrySet()) {
      emitPass(code, leadDims, block, group.getKey(),
          (ctx, outBase) -> gen.emitSpanLoop(ctx, "out", outBase, "+=", group.getValue(), List.of(), "jFrom", "jTo"));
    }
    for (Map.Entry<Integer, ExprCodegen.Term> r : reductions) {
      ExprCodegen.Term t = r.getValue();
      emitPass(code, leadDims, block, r.getKey(), (ctx, outBase) ->
          gen.emitReductionInto(ctx, "out", outBase, t.coefficient(), (Ex.Reduce) t.node(), "jFrom", "jTo"));
    }
    return code.build();
  }

  /** The widest suffix of the block dimensions that can be one flat loop for this term (at least one). */
  private int spanWidth(Ex node, Set<Integer> leadDims, List<Integer> block) {
    if (block.isEmpty()) {
      return 0;
    }
    if (node == null) {
      return block.size();
    }
    for (int width = block.size(); width > 1; width--) {
      List<Integer> span = block.subList(block.size() - width, block.size());
      if (gen.spanFits(node, boundFor(leadDims, block, width), span)) {
        return width;
      }
    }
    return 1;
  }

  private static Set<Integer> boundFor(Set<Integer> leadDims, List<Integer> block, int width) {
    Set<Integer> bound = new LinkedHashSet<>(leadDims);
    bound.addAll(block.subList(0, block.size() - width));
    return bound;
  }

  private interface PassBody {
    void emit(ExprCodegen.Ctx ctx, String outBase);
  }

  /**
   * A loop over the super-rows of the requested range: the block dimensions before the span are decoded from the
   * super-row index, the span runs over {@code [jFrom, jTo)} of it.
   */
  private void emitPass(CodeBlock.Builder code, Set<Integer> leadDims, List<Integer> block, int width,
      PassBody body) {
    List<Integer> span = block.subList(block.size() - width, block.size());
    List<Integer> prefix = block.subList(0, block.size() - width);
    Set<Integer> bound = boundFor(leadDims, block, width);
    code.add("{\n$>");
    if (prefix.isEmpty()) {
      code.addStatement("final int jFrom = from, jTo = to, outBase = off - from");
      body.emit(gen.context(bound, span, code), "outBase");
    } else {
      code.addStatement("final int spanLength = $T.pow(K, $L)", SUPPORT, width);
      code.beginControlFlow("for (int row = from / spanLength; row * spanLength < to; row++)");
      code.addStatement("int rest = row");
      for (int i = prefix.size() - 1; i >= 0; i--) {
        code.addStatement("final int $L = rest % K", ExprCodegen.kVar(prefix.get(i)));
        if (i > 0) {
          code.addStatement("rest /= K");
        }
      }
      code.addStatement("final int jFrom = Math.max(from - row * spanLength, 0)");
      code.addStatement("final int jTo = Math.min(to - row * spanLength, spanLength)");
      code.addStatement("final int outBase = off + row * spanLength - from");
      body.emit(gen.context(bound, span, code), "outBase");
      code.endControlFlow();
    }
    code.add("$<}\n");
  }

  // ------------------------------------------------------------------ class members

  private void addFields(TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(int.class, "K", Modifier.PRIVATE, Modifier.FINAL).build());
    type.addField(FieldSpec.builder(double.class, "logK", Modifier.PRIVATE, Modifier.FINAL).build());
    if (!model.regularBetween(factor.plate(), PlateIr.TOP)) {
      type.addField(FieldSpec.builder(STATE, "st", Modifier.PRIVATE, Modifier.FINAL).build());
    }
    for (int q : chain()) {
      type.addField(FieldSpec.builder(int.class, "div" + q, Modifier.PRIVATE, Modifier.FINAL).build());
      type.addField(FieldSpec.builder(int.class, "el" + q, Modifier.PRIVATE).build());
      type.addField(FieldSpec.builder(int.class, "last" + q, Modifier.PRIVATE).initializer("-1").build());
    }
    for (int v : gen.usedVariables()) {
      String prefix = model.variable(v).kind() == VarKind.LATENT ? "z" : "x";
      type.addField(FieldSpec.builder(double[].class, prefix + v, Modifier.PRIVATE, Modifier.FINAL).build());
      type.addField(FieldSpec.builder(int.class, "b" + prefix + v, Modifier.PRIVATE).build());
    }
    for (int p : gen.usedParams()) {
      type.addField(FieldSpec.builder(double[].class, "q" + p, Modifier.PRIVATE, Modifier.FINAL).build());
      type.addField(FieldSpec.builder(int.class, "bq" + p, Modifier.PRIVATE).build());
    }
    for (ExprCodegen.Mat m : gen.materialised()) {
      type.addField(FieldSpec.builder(double[].class, "m" + m.id(), Modifier.PRIVATE, Modifier.FINAL).build());
    }
    for (int r = 0; r < gen.spanTemporaries(); r++) {
      type.addField(FieldSpec.builder(double[].class, "s" + r, Modifier.PRIVATE, Modifier.FINAL).build());
    }
    for (int g = 0; g < gen.scratchArrays().size(); g++) {
      type.addField(FieldSpec.builder(double[].class, "g" + g, Modifier.PRIVATE, Modifier.FINAL).build());
    }
  }

  /**
   * The doubles the emitted kernel's constructor allocates for materialised subexpressions, as coefficients of the
   * powers of K (index p: K^p); valid after {@link #emit}. Every worker holds one kernel per factor, so the engine's
   * memory estimate adds these up ({@code CompiledModel.kernelWorkspace}).
   */
  double[] workspacePolynomial() {
    int top = gen.materialised().stream().mapToInt(m -> m.kdims().length).max().orElse(0);
    double[] out = new double[top + 1];
    for (ExprCodegen.Mat m : gen.materialised()) {
      out[m.kdims().length] += m.shape().size();
    }
    return out;
  }

  private MethodSpec constructor() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("this.K = st.K");
    code.addStatement("this.logK = st.logK");
    if (!model.regularBetween(factor.plate(), PlateIr.TOP)) {
      code.addStatement("this.st = st");
    }
    int p = factor.plate();
    for (int q : chain()) {
      code.addStatement("this.div$L = st.plateCount[$L] / st.plateCount[$L]", q, p, q);
    }
    for (int v : gen.usedVariables()) {
      String prefix = model.variable(v).kind() == VarKind.LATENT ? "z" : "x";
      String source = model.variable(v).kind() == VarKind.LATENT ? "samples" : "values";
      code.addStatement("this.$L$L = st.$L[$L]", prefix, v, source, v);
    }
    for (int q : gen.usedParams()) {
      code.addStatement("this.q$L = st.params[$L]", q, q);
    }
    for (ExprCodegen.Mat m : gen.materialised()) {
      code.addStatement("this.m$L = new double[$L * $T.pow(K, $L)]", m.id(), m.shape().size(), SUPPORT,
          m.kdims().length);
    }
    for (int r = 0; r < gen.spanTemporaries(); r++) {
      code.addStatement("this.s$L = new double[$T.tileSize(K)]", r, SUPPORT);
    }
    for (int g = 0; g < gen.scratchArrays().size(); g++) {
      code.addStatement("this.g$L = new double[$L]", g, gen.scratchArrays().get(g));
    }
    return MethodSpec.constructorBuilder().addParameter(STATE, "st").addCode(code.build()).build();
  }

  private MethodSpec prepare() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = this.K");
    List<Integer> chain = chain();
    for (int q : chain) {
      if (model.regularBetween(factor.plate(), q)) {
        code.addStatement("el$L = element / div$L", q, q);
      } else {
        // the rows of a plate grouped by an index input are ragged runs: the state knows their parents
        code.addStatement("el$L = st.ancestorElement($L, element, $L)", q, factor.plate(), q);
      }
    }
    for (int v : gen.usedVariables()) {
      VariableIr var = model.variable(v);
      if (var.kind() == VarKind.LATENT) {
        code.addStatement("bz$L = el$L * $L * K", v, var.plate(), var.eventShape().size());
      } else {
        code.addStatement("bx$L = el$L * $L", v, var.plate(), var.eventShape().size());
      }
    }
    for (int q : gen.usedParams()) {
      ParamIr param = model.params().get(q);
      code.addStatement("bq$L = el$L * $L", q, param.plate(), param.shape().size());
    }
    for (int q : chain) {
      List<ExprCodegen.Mat> level = gen.materialised().stream().filter(m -> m.level() == q).toList();
      if (level.isEmpty()) {
        continue;
      }
      code.beginControlFlow("if (el$L != last$L)", q, q);
      code.addStatement("last$L = el$L", q, q);
      for (ExprCodegen.Mat m : level) {
        code.add(m.code());
      }
      code.endControlFlow();
    }
    return MethodSpec.methodBuilder("prepare")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(int.class, "element")
        .addCode(code.build())
        .build();
  }

  /** The vector species; the operators are statically imported by the file (see {@link ModelEmitter}). */
  private static void addVectorConstants(TypeSpec.Builder type) {
    ClassName doubleVector = ClassName.get("jdk.incubator.vector", "DoubleVector");
    ClassName species = ClassName.get("jdk.incubator.vector", "VectorSpecies");
    type.addField(FieldSpec.builder(com.palantir.javapoet.ParameterizedTypeName.get(species, ClassName.get(Double.class)),
            "SPECIES", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .initializer("$T.SPECIES_PREFERRED", doubleVector).build());
    type.addField(FieldSpec.builder(doubleVector, "LANE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addJavadoc("Each lane's index, for the mask of a span's overlapping last vector.\n")
        .initializer("$T.zero(SPECIES).addIndex(1)", doubleVector).build());
  }

  private List<Integer> chain() {
    return model.plateChain(factor.plate());
  }
}
