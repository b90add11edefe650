package org.alan.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
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
import javax.lang.model.element.Modifier;
import org.alan.compiler.analysis.FactorIr;
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
  private final int rowDim;
  private final ExprCodegen gen;

  KernelEmitter(ModelIr model, FactorIr factor, int[] dims, int[] rank) {
    this.model = model;
    this.factor = factor;
    this.dims = dims.clone();
    this.rowDim = dims.length == 0 ? -1 : dims[dims.length - 1];
    this.gen = new ExprCodegen(model, "factor " + factor.name(), rank, true);
  }

  TypeSpec emit(String className) {
    CodeBlock fillBody = emitFill();
    TypeSpec.Builder type = TypeSpec.classBuilder(className)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .addSuperinterface(KERNEL)
        .addJavadoc("Factor $S: $L dimension(s).\n", factor.name(), dims.length);
    addFields(type);
    type.addMethod(constructor());
    type.addMethod(prepare());
    type.addMethod(MethodSpec.methodBuilder("fill")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .addParameter(int.class, "nLead")
        .addParameter(int.class, "lead")
        .addParameter(double[].class, "out")
        .addParameter(int.class, "off")
        .addCode(fillBody)
        .build());
    return type.build();
  }

  // ------------------------------------------------------------------ fill

  private CodeBlock emitFill() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = this.K");
    int n = dims.length;
    for (int i = 0; i < n; i++) {
      code.addStatement("int lo$L = 0, hi$L = K", i, i);
    }
    if (n > 0) {
      code.addStatement("int rem = lead");
      for (int i = n - 1; i >= 0; i--) {
        code.beginControlFlow("if (nLead > $L)", i);
        code.addStatement("lo$L = rem % K", i);
        code.addStatement("hi$L = lo$L + 1", i, i);
        code.addStatement("rem /= K");
        code.endControlFlow();
      }
    }
    code.addStatement("final int shift = off - lead * $T.pow(K, $L - nLead)", SUPPORT, n);
    for (int i = 0; i < n - 1; i++) {
      code.beginControlFlow("for (int $L = lo$L; $L < hi$L; $L++)", ExprCodegen.kVar(dims[i]), i, ExprCodegen.kVar(dims[i]), i,
          ExprCodegen.kVar(dims[i]));
    }
    Set<Integer> outer = new LinkedHashSet<>();
    for (int i = 0; i < n - 1; i++) {
      outer.add(dims[i]);
    }
    ExprCodegen.Ctx ctx = gen.context(outer, rowDim, code);
    StringBuilder base = new StringBuilder("shift");
    if (n > 1) {
      StringBuilder horner = new StringBuilder(ExprCodegen.kVar(dims[0]));
      for (int i = 1; i < n - 1; i++) {
        horner = new StringBuilder("(" + horner + ") * K + " + ExprCodegen.kVar(dims[i]));
      }
      base.append(" + (").append(horner).append(") * K");
    }
    code.addStatement("final int base = $L", base);

    List<ExprCodegen.Term> terms = new ArrayList<>();
    ExprCodegen.flattenSum(factor.logFactor(), 1.0, terms);
    List<ExprCodegen.Term> assigned = new ArrayList<>();
    List<ExprCodegen.Term> accumulated = new ArrayList<>();
    for (ExprCodegen.Term t : terms) {
      if (t.node() instanceof Ex.Reduce r && r.op() == ReduceOp.SUM && r.shape().rank() == 0 && rowDim >= 0
          && gen.kdims(r).contains(rowDim) && ExprCodegen.without(gen.kdims(r), rowDim).equals(outer)) {
        accumulated.add(t);
      } else {
        assigned.add(t);
      }
    }
    if (factor.subtractsLogK()) {
      assigned.add(new ExprCodegen.Term(-1.0, null));
    }
    String lo = n == 0 ? null : "lo" + (n - 1);
    String hi = n == 0 ? null : "hi" + (n - 1);
    gen.emitRowLoop(ctx, "out", "base", "=", assigned, List.of(), lo, hi);
    for (ExprCodegen.Term t : accumulated) {
      Ex.Reduce r = (Ex.Reduce) t.node();
      gen.emitReductionInto(ctx, "out", "base", t.coefficient(), r, lo, hi);
    }
    for (int i = 0; i < n - 1; i++) {
      code.endControlFlow();
    }
    return code.build();
  }

  // ------------------------------------------------------------------ class members

  private void addFields(TypeSpec.Builder type) {
    type.addField(FieldSpec.builder(int.class, "K", Modifier.PRIVATE, Modifier.FINAL).build());
    type.addField(FieldSpec.builder(double.class, "logK", Modifier.PRIVATE, Modifier.FINAL).build());
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
    for (int r = 0; r < gen.rowTemporaries(); r++) {
      type.addField(FieldSpec.builder(double[].class, "r" + r, Modifier.PRIVATE, Modifier.FINAL).build());
    }
  }

  private MethodSpec constructor() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("this.K = st.K");
    code.addStatement("this.logK = st.logK");
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
    for (int r = 0; r < gen.rowTemporaries(); r++) {
      code.addStatement("this.r$L = new double[K]", r);
    }
    return MethodSpec.constructorBuilder().addParameter(STATE, "st").addCode(code.build()).build();
  }

  private MethodSpec prepare() {
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("final int K = this.K");
    List<Integer> chain = chain();
    for (int q : chain) {
      code.addStatement("el$L = element / div$L", q, q);
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

  private List<Integer> chain() {
    return model.plateChain(factor.plate());
  }
}
