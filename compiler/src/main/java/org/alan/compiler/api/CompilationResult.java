package org.alan.compiler.api;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alan.compiler.diag.Diagnostic;
import org.alan.compiler.diag.DiagnosticRenderer;
import org.alan.compiler.diag.Severity;
import org.alan.compiler.source.SourceFile;

/**
 * What a compilation produced: diagnostics (rendered with excerpts by {@link #renderDiagnostics()}), one artifact
 * per model when there were no errors, and the requested intermediate dumps by name, in the order they were made.
 */
public record CompilationResult(SourceFile source, List<Diagnostic> diagnostics, List<CompiledArtifact> artifacts,
    Map<String, String> dumps) {
  public CompilationResult {
    diagnostics = List.copyOf(diagnostics);
    artifacts = List.copyOf(artifacts);
    // in the pipeline's order (ast, then per model ir, factors, java): Map.copyOf's order changes from run to run
    dumps = Collections.unmodifiableMap(new LinkedHashMap<>(dumps));
  }

  public boolean succeeded() {
    return diagnostics.stream().noneMatch(d -> d.severity() == Severity.ERROR);
  }

  /** All diagnostics as a compiler prints them: {@code file:line:col: error: message}, excerpt, caret. */
  public String renderDiagnostics() {
    return DiagnosticRenderer.renderAll(source, diagnostics);
  }

  /**
   * The first {@code limit} diagnostics as {@link #renderDiagnostics()} prints them, then a line saying how many more
   * errors and warnings there are; only what is printed is rendered, so a program with a million errors costs no more
   * than one with {@code limit}. A limit of 0 or less renders all.
   */
  public String renderDiagnostics(int limit) {
    if (limit <= 0 || diagnostics.size() <= limit) {
      return renderDiagnostics();
    }
    List<Diagnostic> rest = diagnostics.subList(limit, diagnostics.size());
    long errors = rest.stream().filter(d -> d.severity() == Severity.ERROR).count();
    long warnings = rest.size() - errors;
    StringBuilder more = new StringBuilder("... and ");
    if (errors > 0) {
      more.append(errors).append(errors == 1 ? " more error" : " more errors");
    }
    if (warnings > 0) {
      more.append(errors > 0 ? " and " : "").append(warnings).append(warnings == 1 ? " more warning" : " more warnings");
    }
    return DiagnosticRenderer.renderAll(source, diagnostics.subList(0, limit)) + more
        + " not shown (--max-errors 0 shows all)\n";
  }

  public CompiledArtifact artifact(String modelName) {
    return artifacts.stream().filter(a -> a.modelName().equals(modelName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model " + modelName));
  }
}
