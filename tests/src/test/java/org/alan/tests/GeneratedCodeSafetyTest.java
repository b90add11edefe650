package org.alan.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.alan.compiler.api.AlanCompiler;
import org.alan.compiler.api.CompilationResult;
import org.alan.compiler.api.CompilerOptions;
import org.junit.jupiter.api.Test;

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
}
