package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User text reaches generated Java only escaped: hostile file names and Java-keyword variable names compile. */
class GeneratedCodeSafetyTest {
  @Test
  void hostileFileNameAndKeywordNames() {
    String source = """
        model Safe {
          int ~ Normal(0, 1);
          plate class {
            input double;
            data y ~ Normal(int, double);
          }
        }
        """;
    CompilationResult r = AlanCompiler.compile(source, "evil */ \"name\"\n}\nclass X {.alan",
        CompilerOptions.defaults().withBundleRuntime(false));
    assertTrue(r.succeeded(), r.renderDiagnostics());
    String java = r.artifacts().get(0).javaSource();
    assertFalse(java.contains("*/ \"name\""), "the file name is sanitised in comments");
    assertTrue(java.contains("public Data double_(double[] values)"), "keyword names get a suffix");
  }

  @Test
  void modelsNamedLikeClassesTheGeneratedCodeUsesCompile() {
    for (String name : List.of("Rng", "ModelState", "KernelSupport", "FactorKernel", "Arrays")) {
      String source = "model " + name + " {\n  a ~ Normal(0, 1);\n  plate p { data y ~ Normal(a, 1); }\n}\n";
      CompilationResult r = AlanCompiler.compile(source, name + ".alan",
          CompilerOptions.defaults().withBundleRuntime(false));
      assertTrue(r.succeeded(), name + ": " + r.renderDiagnostics());
      assertTrue(r.artifacts().get(0).jar().length > 0);
    }
  }

  @Test
  void deeplyNestedExpressionsCompile() {
    String nested = "(".repeat(5000) + "a" + ")".repeat(5000);
    String negated = "-".repeat(5000) + "a";
    String source = "model Deep {\n  a ~ Normal(0, 1);\n  plate p {\n    data y ~ Normal(" + nested + ", 1);\n"
        + "    data z ~ Normal(" + negated + ", 1);\n  }\n}\n";
    CompilationResult r = AlanCompiler.compile(source, "deep.alan", CompilerOptions.defaults().withBundleRuntime(false));
    assertTrue(r.succeeded(), r.renderDiagnostics());
  }

  @Test
  void aByteOrderMarkIsSkipped(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bom.alan");
    Files.writeString(file, "\uFEFFmodel M {\n  a ~ Normal(0, 1);\n}\n");
    CompilationResult r = AlanCompiler.compile(file, CompilerOptions.defaults().withCheckOnly(true));
    assertTrue(r.succeeded(), r.renderDiagnostics());
  }

  @Test
  void aModelTooLargeForTheJvmIsAnErrorInTheProgram() {
    String sum = String.join(" + ", Collections.nCopies(4000, "exp(a)"));
    String source = "model Big {\n  a ~ Normal(0, 1);\n  plate p { data y ~ Normal(" + sum + ", 1); }\n}\n";
    CompilationResult r = AlanCompiler.compile(source, "big.alan", CompilerOptions.defaults().withBundleRuntime(false));
    assertFalse(r.succeeded());
    assertTrue(r.renderDiagnostics().startsWith("big.alan:1:1: error: model 'Big' is too large for one Java class"),
        r.renderDiagnostics());
  }
}
