package org.alan.compiler.driver;

import com.palantir.javapoet.JavaFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.alan.compiler.analysis.ContractionPlanner;
import org.alan.compiler.analysis.FactorGraph;
import org.alan.compiler.analysis.FactorIr;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompiledArtifact;
import org.alan.compiler.api.CompilerOptions;
import org.alan.compiler.ast.AstPrinter;
import org.alan.compiler.ast.Program;
import org.alan.compiler.check.ModelChecker;
import org.alan.compiler.codegen.ModelEmitter;
import org.alan.compiler.diag.Diagnostics;
import org.alan.compiler.ir.IrPrinter;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.packaging.ClassTooLargeException;
import org.alan.compiler.packaging.JarBuilder;
import org.alan.compiler.parse.ProgramParser;
import org.alan.compiler.source.SourceFile;
import org.alan.runtime.api.AlanVersion;
import org.alan.runtime.model.ModelSpec;
import org.alan.runtime.plan.ContractionPlan;
import org.alan.runtime.plan.PlanExplainer;

/**
 * The one place where the compiler's passes are chained, in order:
 * parse (ANTLR to AST) -> check (AST to model IR) -> factor graph -> contraction plan -> model spec ->
 * Java (JavaPoet) -> in-process javac -> jar. Each intermediate form can be kept as a dump.
 */
public final class Pipeline {
  public static final String VERSION = AlanVersion.VALUE;

  private Pipeline() {}

  /**
   * Stack for the compiling thread: every pass (and javac) recurses over expression trees, and hand-written programs
   * nest far less deeply than this allows (tens of thousands of levels); deeper ones get an error, not a crash.
   */
  private static final long STACK_BYTES = 1L << 29;

  /** Compiles on a thread of its own with a deep stack, so that deeply nested programs compile. */
  public static CompilationResult run(SourceFile source, CompilerOptions options) {
    CompilationResult[] result = new CompilationResult[1];
    Throwable[] failure = new Throwable[1];
    Thread compiler = new Thread(null, () -> {
      try {
        result[0] = runHere(source, options);
      } catch (StackOverflowError e) {
        result[0] = new CompilationResult(source, List.of(PipelineErrors.nestedTooDeeply(source)), List.of(),
            Map.of());
      } catch (RuntimeException | Error e) {
        failure[0] = e;
      }
    }, "alanc", STACK_BYTES);
    compiler.start();
    try {
      compiler.join();
    } catch (InterruptedException e) {
      compiler.interrupt();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while compiling " + source.name(), e);
    }
    if (failure[0] instanceof RuntimeException e) {
      throw e;
    } else if (failure[0] instanceof Error e) {
      throw e;
    }
    return result[0];
  }

  private static CompilationResult runHere(SourceFile source, CompilerOptions options) {
    Diagnostics diagnostics = new Diagnostics();
    Map<String, String> dumps = new LinkedHashMap<>();
    List<CompiledArtifact> artifacts = new ArrayList<>();

    Optional<Program> program = ProgramParser.parse(source, diagnostics);
    if (program.isEmpty() || diagnostics.hasErrors()) {
      return new CompilationResult(source, diagnostics.all(), artifacts, dumps);
    }
    if (options.dumps().ast()) {
      dumps.put("ast", AstPrinter.print(program.get()));
    }
    List<ModelIr> models = ModelChecker.run(program.get(), diagnostics);
    if (diagnostics.hasErrors()) {
      return new CompilationResult(source, diagnostics.all(), artifacts, dumps);
    }
    for (ModelIr model : models) {
      if (options.dumps().ir()) {
        dumps.put("ir " + model.name(), IrPrinter.print(model));
      }
      List<FactorIr> factors = FactorGraph.run(model);
      if (options.dumps().factors()) {
        dumps.put("factors " + model.name(), describeFactors(model, factors));
      }
      ContractionPlan plan = ContractionPlanner.run(model, factors);
      ModelSpec spec = ModelEmitter.spec(model, factors, plan, shortName(source.name()), source::lineOf);
      String explain = PlanExplainer.explain(spec, null, 0);
      if (options.checkOnly()) {
        artifacts.add(new CompiledArtifact(model.name(), options.packageName() + "." + model.name(), null, spec,
            explain, null));
        continue;
      }
      JavaFile java = ModelEmitter.emit(new ModelEmitter.Descriptor(model, factors, spec, options.packageName(),
          shortName(source.name()), VERSION));
      String javaSource = java.toString();
      if (options.dumps().java()) {
        dumps.put("java " + model.name(), javaSource);
      }
      String className = options.packageName() + "." + model.name();
      byte[] jar;
      try {
        jar = options.packageJar() ? JarBuilder.build(className, javaSource, source, options.bundleRuntime()) : null;
      } catch (ClassTooLargeException e) {
        diagnostics.report(PipelineErrors.modelTooLarge(model, e.getMessage()));
        continue;
      }
      artifacts.add(new CompiledArtifact(model.name(), className, javaSource, spec, explain, jar));
    }
    return new CompilationResult(source, diagnostics.all(), artifacts, dumps);
  }

  private static String describeFactors(ModelIr model, List<FactorIr> factors) {
    StringBuilder out = new StringBuilder();
    for (FactorIr f : factors) {
      out.append("factor ").append(f.name()).append(" dims ").append(f.dims()).append(" = ")
          .append(IrPrinter.expression(model, f.logFactor())).append(f.subtractsLogK() ? " - log K" : "").append('\n');
    }
    return out.toString();
  }

  private static String shortName(String path) {
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(slash + 1);
  }
}
