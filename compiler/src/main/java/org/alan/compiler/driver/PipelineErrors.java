package org.alan.compiler.driver;

import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.ir.ModelIr;
import org.alan.compiler.source.SourceFile;
import org.alan.compiler.source.SourceSpan;

/** Errors about a program as a whole, found past checking: limits of the compiler and of the JVM. */
final class PipelineErrors {
  private PipelineErrors() {}

  static Diagnostic nestedTooDeeply(SourceFile source) {
    return Diagnostic.error(firstCharacter(source), "the program nests too deeply for alanc to compile",
        "an expression, or plates within plates, go tens of thousands of levels deep; use let bindings or vector"
            + " variables to flatten it");
  }

  static Diagnostic modelTooLarge(ModelIr model, String limit) {
    return Diagnostic.error(model.span(), "model '" + model.name() + "' is too large for one Java class ("
        + limit + ": the JVM allows 64 KB of code per method and 65535 constants per class)",
        "use vector-valued variables (x[N] ~ ...) or plates instead of many scalar variables, or split the model");
  }

  private static SourceSpan firstCharacter(SourceFile source) {
    return new SourceSpan(0, Math.min(1, source.text().length()), 1, 1);
  }
}
